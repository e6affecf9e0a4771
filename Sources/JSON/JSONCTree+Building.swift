import CJSONC

extension JSONCTree {
    /// Builds a json-c tree for a value that `JSONValue.checkSerializable(field:)` accepted.
    init(building value: JSONValue) {
        self.init(owning: Self.make(value))
    }

    /// Returns a new object holding one reference, which the caller owns, or `nil` for
    /// `null`, which json-c represents as a NULL pointer.
    private static func make(_ value: JSONValue) -> OpaquePointer? {
        let made: OpaquePointer?
        switch value {
        case .null:
            return nil
        case .bool(let flag):
            made = json_object_new_boolean(flag ? 1 : 0)
        case .int(let number):
            made = json_object_new_int64(number)
        case .double(let number):
            // json-c's own format prints 0.1 as 0.10000000000000001; Swift's description is
            // the shortest text that reads back as the same Double, and always has a '.' or
            // an exponent, so it parses back as a double rather than an integer.
            made = json_object_new_double_s(number, number.description)
        case .string(let text):
            made = newString(text)
        case .array(let elements):
            let array = allocated(json_object_new_array())
            for element in elements {
                // array_add takes over the child's reference.
                let child = make(element)
                precondition(json_object_array_add(array, child) == 0, "json-c could not grow an array")
            }
            return array
        case .object(let members):
            let object = allocated(json_object_new_object())
            for (key, member) in members {
                let child = make(member)
                // Keys are unique in a JSONObject, so json-c need not search for an old one.
                let added = json_object_object_add_ex(object, key, child, UInt32(JSON_C_OBJECT_ADD_KEY_IS_NEW))
                precondition(added == 0, "json-c could not grow an object")
            }
            return object
        }
        return allocated(made)
    }

    private static func newString(_ text: String) -> OpaquePointer? {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) {
                guard let base = $0.baseAddress else { return json_object_new_string("") }
                return json_object_new_string_len(base, Int32($0.count))
            }
        }
    }

    private static func allocated(_ object: OpaquePointer?) -> OpaquePointer {
        guard let object else { fatalError("json-c could not allocate an object") }
        return object
    }
}
