import CJSONC

extension JSONCTree {
    /// Copies the tree into Swift values. The tree stays owned by `self`.
    ///
    /// `maxDepth` is checked again here because json-c counts a container's depth only
    /// when a value is inside it: it lets `[]` through at depth `maxDepth + 1`.
    func value(maxDepth: Int) throws(JSONError) -> JSONValue {
        try Self.value(of: root, depthLeft: maxDepth)
    }

    private static func value(of object: OpaquePointer?, depthLeft: Int) throws(JSONError) -> JSONValue {
        // json-c represents null as a NULL pointer; get_type maps it to json_type_null.
        switch json_object_get_type(object) {
        case json_type_null:
            return .null
        case json_type_boolean:
            return .bool(json_object_get_boolean(object) != 0)
        case json_type_int:
            let value = json_object_get_int64(object)
            // json-c keeps integers above Int64.max as uint64 and clamps get_int64; the
            // scanner rejects those first, this keeps a json-c change from going unnoticed.
            if value == .max, json_object_get_uint64(object) > UInt64(Int64.max) {
                throw JSONError(.outOfRange, detail: "integer does not fit in 64 bits")
            }
            return .int(value)
        case json_type_double:
            let value = json_object_get_double(object)
            guard value.isFinite else {
                throw JSONError(.nonFinite, detail: "number is NaN or infinite")
            }
            return .double(value)
        case json_type_string:
            return .string(string(of: object))
        case json_type_array, json_type_object:
            guard depthLeft > 0 else {
                throw JSONError(.tooDeep, detail: "arrays and objects nest too deeply")
            }
            return try container(object, depthLeft: depthLeft - 1)
        default:
            throw JSONError(.syntax, detail: "json-c returned a value of unknown type")
        }
    }

    private static func container(_ object: OpaquePointer?, depthLeft: Int) throws(JSONError) -> JSONValue {
        if json_object_get_type(object) == json_type_array {
            let count = json_object_array_length(object)
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                elements.append(try value(of: json_object_array_get_idx(object, index), depthLeft: depthLeft))
            }
            return .array(elements)
        }
        return .object(try members(of: object, depthLeft: depthLeft))
    }

    private static func string(of object: OpaquePointer?) -> String {
        // The length, not strlen: a string may hold an escaped U+0000.
        let length = Int(json_object_get_string_len(object))
        guard let text = json_object_get_string(object) else { return "" }
        return text.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    private static func members(of object: OpaquePointer?, depthLeft: Int) throws(JSONError) -> JSONObject {
        var result = JSONObject()
        result.reserveCapacity(Int(json_object_object_length(object)))
        // json-c's object iterator walks members in insertion order, duplicates already merged.
        var iterator = json_object_iter_begin(object)
        var end = json_object_iter_end(object)
        while json_object_iter_equal(&iterator, &end) == 0 {
            guard let name = json_object_iter_peek_name(&iterator) else { break }
            result.appendNew(String(cString: name), try value(of: json_object_iter_peek_value(&iterator), depthLeft: depthLeft))
            json_object_iter_next(&iterator)
        }
        return result
    }
}
