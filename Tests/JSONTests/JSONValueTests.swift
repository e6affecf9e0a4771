import JSON
import Testing

@Suite struct JSONValueTests {
    @Test func literals() {
        let value: JSONValue = ["n": nil, "b": false, "i": 1, "d": 1.5, "s": "x", "a": [1]]
        let object = value.objectValue
        #expect(object?["n"] == .null)
        #expect(object?["b"] == .bool(false))
        #expect(object?["i"] == .int(1))
        #expect(object?["d"] == .double(1.5))
        #expect(object?["s"] == .string("x"))
        #expect(object?["a"] == .array([.int(1)]))
    }

    @Test func accessors() {
        #expect(JSONValue.string("x").stringValue == "x")
        #expect(JSONValue.int(1).stringValue == nil)
        #expect(JSONValue.int(7).intValue == 7)
        #expect(JSONValue.double(7).intValue == 7)
        #expect(JSONValue.double(7.5).intValue == nil)
        #expect(JSONValue.double(1e19).intValue == nil)
        #expect(JSONValue.int(7).doubleValue == 7)
        #expect(JSONValue.double(0.5).doubleValue == 0.5)
        #expect(JSONValue.string("1").doubleValue == nil)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.null.boolValue == nil)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.object(["k": 1]).objectValue == ["k": 1])
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.int(0).isNull)
    }

    @Test func objectKeepsInsertionOrder() {
        var object: JSONObject = ["c": 1, "a": 2]
        object["b"] = 3
        object["c"] = 4
        #expect(object.keys == ["c", "a", "b"])
        #expect(object.map(\.value) == [4, 2, 3])
        #expect(object.count == 3)
    }

    @Test func assigningNilRemovesAndNullStores() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object["c"] == 3)
        object["b"] = .null
        #expect(object["b"] == .null)
        #expect(object.removeValue(forKey: "c") == 3)
        #expect(object.removeValue(forKey: "c") == nil)
        #expect(object.keys == ["b"])
        object["d"] = 5
        #expect(object["d"] == 5)
        #expect(!object.isEmpty)
    }

    @Test func equalityIgnoresOrder() {
        let first: JSONObject = ["a": 1, "b": [2]]
        let second: JSONObject = ["b": [2], "a": 1]
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([JSONValue.object(first), .object(second)]).count == 1)
        #expect(first != ["a": 1])
        #expect(first != ["a": 1, "b": [3]])
    }
}
