extension JSONValue {
    /// The compact JSON text for this value: no spaces, object keys in insertion order,
    /// `/` not escaped, non-ASCII characters written as UTF-8.
    ///
    /// Doubles use Swift's shortest round-trip form (`0.1` is `0.1`, `2.0` is `2.0`).
    ///
    /// - Throws: `.nonFinite` if any double is NaN or infinite (JSON has no such numbers),
    ///   `.unsupported` if an object key contains U+0000 (json-c keys are C strings).
    ///   Nothing is written in either case.
    public func serialized() throws(JSONError) -> String {
        String(decoding: try serializedBytes(), as: UTF8.self)
    }

    /// The compact JSON text as UTF-8 bytes, ready to publish. See ``serialized()``.
    public func serializedBytes() throws(JSONError) -> [UInt8] {
        try checkSerializable(field: nil)
        return JSONCTree(building: self).serializedBytes()
    }

    /// Rejects what json-c would write as invalid JSON or would silently change,
    /// before any json-c object exists, so a failure leaves nothing to free.
    func checkSerializable(field: String?) throws(JSONError) {
        switch self {
        case .double(let number) where !number.isFinite:
            throw JSONError(.nonFinite, field: field, detail: "NaN and infinity cannot be written as JSON")
        case .array(let elements):
            for element in elements { try element.checkSerializable(field: field) }
        case .object(let members):
            for (key, member) in members {
                if key.utf8.contains(0) {
                    throw JSONError(
                        .unsupported, detail: "an object key contains U+0000, which json-c would truncate")
                }
                try member.checkSerializable(field: key)
            }
        default:
            break
        }
    }
}

extension JSONObject {
    /// The compact JSON text for this object. See ``JSONValue/serialized()``.
    public func serialized() throws(JSONError) -> String {
        try JSONValue.object(self).serialized()
    }

    /// The compact JSON text as UTF-8 bytes. See ``JSONValue/serialized()``.
    public func serializedBytes() throws(JSONError) -> [UInt8] {
        try JSONValue.object(self).serializedBytes()
    }
}
