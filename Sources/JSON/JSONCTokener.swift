import CJSONC

/// Owns one json-c tokener for the length of one parse and frees it exactly once.
struct JSONCTokener: ~Copyable {
    private let raw: UnsafeMutablePointer<json_tokener>

    /// `maxDepth` counts nested arrays and objects; json-c counts the top-level value too.
    init(maxDepth: Int) {
        guard let raw = json_tokener_new_ex(Int32(maxDepth + 1)) else {
            fatalError("json-c could not allocate a tokener")
        }
        json_tokener_set_flags(
            raw,
            // ALLOW_TRAILING_CHARS makes json-c stop after the value instead of failing with
            // a generic "unexpected character"; the caller then reports trailing data itself.
            Int32(JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8))
        self.raw = raw
    }

    deinit { json_tokener_free(raw) }

    /// Where the last parse stopped: the offset just after the value and any whitespace.
    var parseEnd: Int { json_tokener_get_parse_end(raw) }

    /// Parses `terminated`, whose last byte must be a NUL that is not part of the input:
    /// without it a top-level number such as `12` stays incomplete, as more digits could
    /// follow.
    func parse(_ terminated: [UInt8]) throws(JSONError) -> JSONCTree {
        let root = terminated.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                json_tokener_parse_ex(raw, $0.baseAddress, Int32($0.count))
            }
        }
        // A NULL result is also how json-c returns a successful top-level `null`.
        let status = json_tokener_get_error(raw)
        guard status == json_tokener_success else {
            json_object_put(root)
            throw Self.error(status, offset: parseEnd)
        }
        return JSONCTree(owning: root)
    }

    /// The one place json-c's error codes become ``JSONError`` values.
    private static func error(_ code: json_tokener_error, offset: Int) -> JSONError {
        switch code {
        case json_tokener_error_depth:
            return JSONError(.tooDeep, offset: offset, detail: "arrays and objects nest too deeply")
        case json_tokener_error_parse_utf8_string:
            return JSONError(.invalidUTF8, offset: offset, detail: "invalid UTF-8")
        case json_tokener_error_parse_eof, json_tokener_continue:
            return JSONError(.syntax, offset: offset, detail: "unexpected end of input")
        default:
            // json-c's descriptions are fixed phrases ("unexpected character"), never input.
            let reason = json_tokener_error_desc(code).map { String(cString: $0) } ?? "invalid JSON"
            return JSONError(.syntax, offset: offset, detail: reason)
        }
    }
}

extension JSONCTokener {
    /// Whether json-c alone, in the strict mode used here, accepts `bytes` as one complete
    /// value. Tests use it to show which checks json-c leaves to `StrictScanner`.
    static func acceptsAlone(_ bytes: [UInt8], maxDepth: Int = JSONLimits.default.maxDepth) -> Bool {
        let tokener = JSONCTokener(maxDepth: maxDepth)
        do {
            _ = try tokener.parse(bytes + [0])
        } catch {
            return false
        }
        return bytes[min(tokener.parseEnd, bytes.count)...].allSatisfy(JSON.isWhitespace)
    }
}
