import JSON
import Testing

@Suite struct SerializationTests {
    static let goldens: [(JSONValue, String)] = [
        (.null, "null"),
        (true, "true"),
        (-42, "-42"),
        (.int(.max), "9223372036854775807"),
        (.int(.min), "-9223372036854775808"),
        (0.1, "0.1"),
        (2.0, "2.0"),
        (-0.0, "-0.0"),
        (1e21, "1e+21"),
        (1e-7, "1e-07"),
        (.double(.leastNonzeroMagnitude), "5e-324"),
        ("a/b", "\"a/b\""),
        ("é😀", "\"é😀\""),
        ("q\"b\\c", "\"q\\\"b\\\\c\""),
        ("\u{0}\u{1}\t\n\u{1F}", "\"\\u0000\\u0001\\t\\n\\u001f\""),
        ([], "[]"),
        ([:], "{}"),
        ([1, "x", nil, [true]], "[1,\"x\",null,[true]]"),
        (["z": 1, "a": ["m": [], "b": nil]], "{\"z\":1,\"a\":{\"m\":[],\"b\":null}}"),
    ]

    @Test(arguments: goldens)
    func golden(_ value: JSONValue, _ expected: String) throws {
        #expect(try value.serialized() == expected)
        #expect(try value.serializedBytes() == Array(expected.utf8))
    }

    @Test func goldenCommandPayloadKeepsKeyOrder() throws {
        var payload: JSONObject = ["request_id": "r-1", "action": "set_pin", "slot": 2]
        payload["schedule"] = ["days": ["mon", "tue"], "from": "08:00", "until": "17:30"]
        payload["slot"] = 3  // replacing keeps the position
        #expect(
            try payload.serialized()
                == #"{"request_id":"r-1","action":"set_pin","slot":3,"schedule":{"days":["mon","tue"],"from":"08:00","until":"17:30"}}"#
        )
    }

    @Test func doublesStayDoubles() throws {
        for value in [2.0, -3.0, 1e16, 0.1, 123456789.0] {
            #expect(try JSON.parse(JSONValue.double(value).serialized()) == .double(value))
        }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoublesThrow(_ value: Double) throws {
        #expect(thrown { () throws(JSONError) in try JSONValue.double(value).serialized() }?.code == .nonFinite)
        let nested: JSONObject = ["battery": ["level": .double(value)]]
        let error = try #require(thrown { () throws(JSONError) in try nested.serializedBytes() })
        #expect(error.code == .nonFinite)
        #expect(error.field == "level")
    }

    @Test func keysWithNulThrowInsteadOfTruncating() {
        let value: JSONValue = ["a\u{0}b": 1]
        #expect(thrown { () throws(JSONError) in try value.serialized() }?.code == .unsupported)
    }
}
