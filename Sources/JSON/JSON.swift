/// Strict JSON parsing through json-c.
///
/// Accepts exactly RFC 8259 JSON (one value, optionally surrounded by whitespace) and
/// rejects the extensions json-c allows even in strict mode; see ``JSONError/Code``.
/// Integers must fit in `Int64` (larger ones fail with `.outOfRange` rather than losing
/// precision as a `Double`), and numbers must be finite.
public enum JSON {
    /// Parses one JSON value from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw JSONError(
                .tooLarge, detail: "payload is \(bytes.count) bytes; the limit is \(limits.maxBytes)")
        }
        guard bytes.contains(where: { !isWhitespace($0) }) else {
            throw JSONError(.emptyInput, detail: "input is empty")
        }
        // json-c goes first so that it judges structure (and trailing data) itself; the
        // scanner then catches what json-c let through, or names a json-c failure better.
        let tokener = JSONCTokener(maxDepth: limits.maxDepth)
        let tree: JSONCTree
        do {
            tree = try tokener.parse(bytes + [0])
        } catch {
            throw StrictScanner.moreSpecific(than: error, in: bytes)
        }
        let end = min(tokener.parseEnd, bytes.count)
        if let extra = bytes[end...].firstIndex(where: { !isWhitespace($0) }) {
            throw JSONError(.trailingData, offset: extra, detail: "unexpected data after the JSON value")
        }
        try StrictScanner.check(bytes)
        return try tree.value(maxDepth: limits.maxDepth)
    }

    /// Parses one JSON value from a string.
    public static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    /// Parses a payload whose top level must be an object, as every command's is.
    public static func parseObject(_ bytes: [UInt8], limits: JSONLimits = .default) throws(JSONError) -> JSONObject {
        let value = try parse(bytes, limits: limits)
        guard case .object(let object) = value else {
            throw JSONError(.notAnObject, offset: 0, detail: "expected an object at the top level, got \(value.typeDescription)")
        }
        return object
    }

    /// Parses a string whose top level must be an object.
    public static func parseObject(_ text: String, limits: JSONLimits = .default) throws(JSONError) -> JSONObject {
        try parseObject(Array(text.utf8), limits: limits)
    }

    /// RFC 8259's four whitespace bytes; json-c agrees in strict mode.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
