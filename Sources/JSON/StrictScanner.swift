/// A single pass over the raw bytes that rejects what json-c lets through even in
/// `JSON_TOKENER_STRICT` mode (checked against json-c 0.16, see StrictnessTests):
///
/// - single-quoted keys (`{'a':1}` parses),
/// - `NaN`, `Infinity` and `-Infinity`,
/// - numbers such as `1.` and integers beyond `Int64`, which json-c silently clamps,
/// - raw control characters (tab, newline) inside strings,
/// - UTF-8 that `JSON_TOKENER_VALIDATE_UTF8` accepts: encoded surrogates, overlong forms,
/// - `\u0000` inside a key, which json-c silently truncates.
///
/// It is a lexer, not a parser: anything it does not recognise is left for json-c to judge.
enum StrictScanner {
    /// The scanner's finding if it lies no later than json-c's, else json-c's own error.
    static func moreSpecific(than jsoncError: JSONError, in bytes: [UInt8]) -> JSONError {
        do {
            try check(bytes)
        } catch {
            if let found = error.offset, found <= jsoncError.offset ?? .max { return error }
        }
        return jsoncError
    }

    static func check(_ bytes: [UInt8]) throws(JSONError) {
        var index = 0
        // Offset of the string just closed, while it may still turn out to be a key
        // containing \u0000 (it is one if a ':' follows).
        var keyWithNul: Int?
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let (end, hasNul) = try scanString(bytes, from: index)
                keyWithNul = hasNul ? index : nil
                index = end
                continue
            case UInt8(ascii: ":"):
                if let start = keyWithNul {
                    throw JSONError(
                        .unsupported, offset: start,
                        detail: "object key contains \\u0000, which json-c would truncate")
                }
            case UInt8(ascii: "'"):
                throw JSONError(
                    .notStrict, offset: index,
                    detail: "single quotes are not JSON; strings and keys need double quotes")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                index = try scanNumber(bytes, from: index)
                keyWithNul = nil
                continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                index = try scanWord(bytes, from: index, start: index)
                keyWithNul = nil
                continue
            case 0x80...:
                _ = try utf8Sequence(bytes, at: index)
                throw JSONError(.syntax, offset: index, detail: "unexpected character outside a string")
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            default:
                keyWithNul = nil
            }
            index += 1
        }
    }

    /// Scans the string opening at `start`; returns the offset after its closing quote
    /// (or the end of input, leaving the unterminated string to json-c) and whether it
    /// holds a `\u0000` escape.
    private static func scanString(_ bytes: [UInt8], from start: Int) throws(JSONError) -> (Int, Bool) {
        var index = start + 1
        var hasNul = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                return (index + 1, hasNul)
            case UInt8(ascii: "\\"):
                // Skip the escaped byte so an escaped quote does not end the string; a
                // non-ASCII byte there is left for the UTF-8 check and json-c to reject.
                if index + 1 < bytes.count, bytes[index + 1] < 0x80 {
                    if bytes[index + 1] == UInt8(ascii: "u"),
                        bytes[(index + 2)...].prefix(4).elementsEqual("0000".utf8)
                    {
                        hasNul = true
                    }
                    index += 2
                } else {
                    index += 1
                }
            case ..<0x20:
                throw JSONError(
                    .syntax, offset: index, detail: "unescaped control character inside a string")
            case 0x80...:
                index += try utf8Sequence(bytes, at: index)
            default:
                index += 1
            }
        }
        return (index, hasNul)
    }

    /// Checks a number token against RFC 8259's grammar and range; returns its end.
    private static func scanNumber(_ bytes: [UInt8], from start: Int) throws(JSONError) -> Int {
        var end = start
        while end < bytes.count, isNumberByte(bytes[end]) { end += 1 }
        // "-Infinity", "-NaN": the minus belongs to a word.
        if end == start + 1, bytes[start] == UInt8(ascii: "-"), end < bytes.count, isLetter(bytes[end]) {
            return try scanWord(bytes, from: end, start: start)
        }
        let token = bytes[start..<end]
        guard let isInteger = NumberGrammar.match(token) else {
            throw JSONError(.syntax, offset: start, detail: "malformed number")
        }
        let text = String(decoding: token, as: UTF8.self)
        if isInteger {
            guard Int64(text) != nil else {
                throw JSONError(.outOfRange, offset: start, detail: "integer does not fit in 64 bits")
            }
        } else if let value = Double(text), !value.isFinite {
            throw JSONError(.nonFinite, offset: start, detail: "number is too large for a double")
        }
        return end
    }

    /// Accepts `true`, `false` and `null`; reports NaN and Infinity as not strict JSON.
    private static func scanWord(_ bytes: [UInt8], from wordStart: Int, start: Int) throws(JSONError) -> Int {
        var end = wordStart
        while end < bytes.count, isLetter(bytes[end]) || isDigit(bytes[end]) { end += 1 }
        let word = String(decoding: bytes[wordStart..<end], as: UTF8.self)
        if start == wordStart, ["true", "false", "null"].contains(word) { return end }
        if ["nan", "inf", "infinity"].contains(word.lowercased()) {
            throw JSONError(.notStrict, offset: start, detail: "NaN and Infinity are not JSON numbers")
        }
        throw JSONError(.syntax, offset: start, detail: "unexpected word; expected true, false or null")
    }

    /// The length of the well-formed UTF-8 sequence at `index` (RFC 3629: no surrogates,
    /// no overlong forms, nothing above U+10FFFF).
    private static func utf8Sequence(_ bytes: [UInt8], at index: Int) throws(JSONError) -> Int {
        let lead = bytes[index]
        let second: ClosedRange<UInt8>
        let length: Int
        switch lead {
        case 0xC2...0xDF: (second, length) = (0x80...0xBF, 2)
        case 0xE0: (second, length) = (0xA0...0xBF, 3)
        case 0xE1...0xEC, 0xEE...0xEF: (second, length) = (0x80...0xBF, 3)
        case 0xED: (second, length) = (0x80...0x9F, 3)
        case 0xF0: (second, length) = (0x90...0xBF, 4)
        case 0xF1...0xF3: (second, length) = (0x80...0xBF, 4)
        case 0xF4: (second, length) = (0x80...0x8F, 4)
        default: throw invalidUTF8(at: index)
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else {
            throw invalidUTF8(at: index)
        }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) {
            throw invalidUTF8(at: index)
        }
        return length
    }

    private static func invalidUTF8(at index: Int) -> JSONError {
        JSONError(.invalidUTF8, offset: index, detail: "invalid UTF-8")
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
