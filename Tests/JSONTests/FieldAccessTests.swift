import JSON
import Testing

@Suite struct FieldAccessTests {
    let command: JSONObject = [
        "action": "add_pin", "slot": 3, "enabled": true, "ratio": 0.5, "whole": 4.0,
        "half": 2.5, "huge": 1e19, "note": nil, "user": ["name": "Ann"], "days": [1, 2],
    ]

    @Test func readsPresentFields() throws {
        #expect(try command.string("action") == "add_pin")
        #expect(try command.int("slot") == 3)
        #expect(try command.bool("enabled"))
        #expect(try command.double("ratio") == 0.5)
        #expect(try command.object("user") == ["name": "Ann"])
        #expect(try command.array("days") == [1, 2])
    }

    @Test func integersAcceptOnlyIntegralNumbers() throws {
        #expect(try command.int("whole") == 4)
        let half = try #require(thrown { () throws(JSONError) in try command.int("half") })
        #expect(half.code == .wrongType)
        #expect(half.description == "field \"half\": expected an integer, got a number with a fraction or exponent")
        #expect(thrown { () throws(JSONError) in try command.int("huge") }?.code == .outOfRange)
    }

    @Test func doublesAcceptIntegers() throws {
        #expect(try command.double("slot") == 3)
    }

    @Test func integerRanges() throws {
        #expect(try command.int("slot", in: 1...8) == 3)
        let error = try #require(thrown { () throws(JSONError) in try command.int("slot", in: 5...8) })
        #expect(error.code == .outOfRange)
        #expect(error.field == "slot")
        #expect(error.description == "field \"slot\": must be between 5 and 8")
    }

    @Test func missingAndNullFieldsAreMissing() throws {
        for key in ["absent", "note"] {
            let error = try #require(thrown { () throws(JSONError) in try command.string(key) })
            #expect(error == JSONError(.missingField, field: key, detail: "required field is missing"))
            #expect(error.description == "field \"\(key)\": required field is missing")
        }
    }

    @Test func optionalFieldsTreatNullAsAbsent() throws {
        #expect(try command.optionalString("note") == nil)
        #expect(try command.optionalString("absent") == nil)
        #expect(try command.optionalInt("note") == nil)
        #expect(try command.optionalBool("note") == nil)
        #expect(try command.optionalDouble("note") == nil)
        #expect(try command.optionalObject("note") == nil)
        #expect(try command.optionalArray("note") == nil)
        #expect(try command.optionalInt("slot") == 3)
        #expect(try command.optionalString("action") == "add_pin")
    }

    @Test(arguments: [
        ("slot", "string", "expected a string, got an integer"),
        ("action", "int", "expected an integer, got a string"),
        ("action", "optionalInt", "expected an integer, got a string"),
        ("slot", "bool", "expected a boolean, got an integer"),
        ("enabled", "double", "expected a number, got a boolean"),
        ("days", "object", "expected an object, got an array"),
        ("user", "array", "expected an array, got an object"),
        ("user", "optionalString", "expected a string, got an object"),
    ])
    func wrongTypesNameFieldAndTypes(key: String, accessor: String, detail: String) throws {
        let error = try #require(thrown { () throws(JSONError) in try read(accessor, key) })
        #expect(error.code == .wrongType)
        #expect(error.field == key)
        #expect(error.offset == nil)
        #expect(error.description == "field \"\(key)\": \(detail)")
    }

    @Test func wrongTypeMessagesNeverEchoValues() throws {
        let payload = try JSON.parseObject(#"{"pin":"987654","code":987654}"#)
        for error in [
            thrown { () throws(JSONError) in try payload.int("pin") },
            thrown { () throws(JSONError) in try payload.string("code") },
        ] {
            let error = try #require(error)
            #expect(!error.description.contains("987654"))
        }
    }

    private func read(_ accessor: String, _ key: String) throws(JSONError) {
        switch accessor {
        case "string": _ = try command.string(key)
        case "optionalString": _ = try command.optionalString(key)
        case "int": _ = try command.int(key)
        case "optionalInt": _ = try command.optionalInt(key)
        case "bool": _ = try command.bool(key)
        case "double": _ = try command.double(key)
        case "object": _ = try command.object(key)
        case "array": _ = try command.array(key)
        default: Issue.record("unknown accessor \(accessor)")
        }
    }
}
