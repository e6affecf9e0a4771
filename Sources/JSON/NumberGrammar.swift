/// RFC 8259's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
enum NumberGrammar {
    /// `true` for an integer, `false` for a number with a fraction or exponent,
    /// `nil` when the token is not a JSON number.
    static func match(_ token: ArraySlice<UInt8>) -> Bool? {
        var index = token.startIndex
        func digits() -> Int {
            let start = index
            while index < token.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(token[index]) {
                index += 1
            }
            return index - start
        }
        func accept(_ characters: String) -> Bool {
            guard index < token.endIndex, characters.utf8.contains(token[index]) else { return false }
            index += 1
            return true
        }

        _ = accept("-")
        if accept("0") {
            // No leading zeros: "01" is not a number.
        } else if digits() == 0 {
            return nil
        }
        var isInteger = true
        if accept(".") {
            guard digits() > 0 else { return nil }
            isInteger = false
        }
        if accept("eE") {
            _ = accept("+-")
            guard digits() > 0 else { return nil }
            isInteger = false
        }
        return index == token.endIndex ? isInteger : nil
    }
}
