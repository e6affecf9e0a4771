import Testing

@testable import JSON

/// Each rejection with its code. The `jsoncAlone` column records what json-c 0.16 does by
/// itself in STRICT mode, checked on every run, so the scanner's work stays justified.
struct Rejection: Sendable, CustomTestStringConvertible {
    let input: [UInt8]
    let code: JSONError.Code
    let offset: Int?
    let jsoncAlone: Bool

    init(_ input: String, _ code: JSONError.Code, at offset: Int? = nil, jsoncAccepts: Bool = false) {
        self.init(Array(input.utf8), code, at: offset, jsoncAccepts: jsoncAccepts)
    }

    init(_ input: [UInt8], _ code: JSONError.Code, at offset: Int? = nil, jsoncAccepts: Bool = false) {
        self.input = input
        self.code = code
        self.offset = offset
        self.jsoncAlone = jsoncAccepts
    }

    var testDescription: String { "\(String(decoding: input, as: UTF8.self).debugDescription) → \(code)" }
}

@Suite struct StrictnessTests {
    static let rejections: [Rejection] = [
        // What json-c accepts even in STRICT mode.
        Rejection("{'a':1}", .notStrict, at: 1, jsoncAccepts: true),
        Rejection("NaN", .notStrict, at: 0, jsoncAccepts: true),
        Rejection("Infinity", .notStrict, at: 0, jsoncAccepts: true),
        Rejection("-Infinity", .notStrict, at: 0, jsoncAccepts: true),
        Rejection("[1,NaN]", .notStrict, at: 3, jsoncAccepts: true),
        Rejection("{\"t\":-Infinity}", .notStrict, at: 5, jsoncAccepts: true),
        Rejection("1e400", .nonFinite, at: 0, jsoncAccepts: true),
        Rejection("{\"x\": -1e400}", .nonFinite, at: 6, jsoncAccepts: true),
        Rejection("9223372036854775808", .outOfRange, at: 0, jsoncAccepts: true),
        Rejection("18446744073709551616", .outOfRange, at: 0, jsoncAccepts: true),
        Rejection("[-9223372036854775809]", .outOfRange, at: 1, jsoncAccepts: true),
        Rejection("1.", .syntax, at: 0, jsoncAccepts: true),
        Rejection("[1.e5]", .syntax, at: 1, jsoncAccepts: true),
        Rejection("\"a\tb\"", .syntax, at: 2, jsoncAccepts: true),
        Rejection("{\"k\":\"line\nbreak\"}", .syntax, at: 10, jsoncAccepts: true),
        Rejection("{\"a\\u0000b\":1}", .unsupported, at: 1, jsoncAccepts: true),
        Rejection([0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, at: 1, jsoncAccepts: true),  // encoded surrogate
        // What json-c already rejects; the code is ours either way.
        Rejection("'a'", .notStrict, at: 0),
        Rejection("{\"a\":'b'}", .notStrict, at: 5),
        Rejection("nan", .notStrict, at: 0),
        Rejection("", .emptyInput),
        Rejection(" \t\r\n", .emptyInput),
        Rejection("[1] x", .trailingData, at: 4),
        Rejection("[1],", .trailingData, at: 3),
        Rejection("1 2", .trailingData, at: 2),
        Rejection("{} {}", .trailingData, at: 3),
        Rejection([0x5B, 0x5D, 0x00], .trailingData, at: 2),
        Rejection("01", .syntax, at: 0),
        Rejection("+1", .syntax),
        Rejection(".5", .syntax),
        Rejection("-", .syntax, at: 0),
        Rejection("0x10", .trailingData, at: 1),
        Rejection("[1,]", .syntax),
        Rejection("{\"a\":1,}", .syntax),
        Rejection("// comment\n1", .syntax),
        Rejection("/* comment */ 1", .syntax),
        Rejection("[1 2]", .syntax),
        Rejection("tru", .syntax, at: 0),
        Rejection("True", .syntax, at: 0),
        Rejection("\"\\x41\"", .syntax),
        Rejection("\"\\'\"", .syntax),
        Rejection("[1", .syntax),
        Rejection("{\"a\"}", .syntax),
        Rejection("\"abc", .syntax),
        Rejection([0x22, 0xFF, 0x22], .invalidUTF8, at: 1),
        Rejection([0x22, 0xC0, 0xAF, 0x22], .invalidUTF8, at: 1, jsoncAccepts: true),  // overlong "/"
        Rejection([0x22, 0xC3, 0x22], .invalidUTF8, at: 1),  // truncated sequence
        Rejection([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, at: 1, jsoncAccepts: true),  // above U+10FFFF
    ]

    @Test(arguments: rejections)
    func rejects(_ rejection: Rejection) throws {
        let error = try #require(parseError(rejection.input))
        #expect(error.code == rejection.code, "\(error)")
        if let offset = rejection.offset {
            #expect(error.offset == offset, "\(error)")
        }
        #expect(JSONCTokener.acceptsAlone(rejection.input) == rejection.jsoncAlone)
    }

    static let accepted: [(String, JSONValue)] = [
        ("null", .null),
        ("true", true),
        ("12", 12),
        ("-5", -5),
        ("-0", 0),
        ("9223372036854775807", .int(.max)),
        ("-9223372036854775808", .int(.min)),
        ("2.0", .double(2)),
        ("1e3", .double(1000)),
        ("1E+2", .double(100)),
        ("-1.5e-3", .double(-0.0015)),
        ("0.1", 0.1),
        ("1e-400", .double(0)),  // underflow is not an overflow: it reads as zero
        ("\"\\u00e9\"", "é"),
        ("\"\\ud83d\\ude00\"", "😀"),
        ("\"😀 é\"", "😀 é"),
        ("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\u{8}\u{C}\n\r\t"),
        ("\"a\\u0000b\"", "a\u{0}b"),
        ("\"a/b\"", "a/b"),
        // json-c turns a lone surrogate escape into U+FFFD rather than failing; kept as is.
        ("\"\\ud83d\"", "\u{FFFD}"),
        ("[[1,[2,[3,[]]]]]", [[1, [2, [3, []]]]]),
        (" \n\t{ \"a\" : [ true , false , null ] }\r\n ", ["a": [true, false, nil]]),
        ("{\"b\":1,\"a\":2,\"b\":3}", ["b": 3, "a": 2]),
    ]

    @Test(arguments: accepted)
    func accepts(_ input: String, _ expected: JSONValue) throws {
        #expect(try JSON.parse(input) == expected)
    }

    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let object = try JSON.parseObject("{\"b\":1,\"a\":2,\"b\":3}")
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == 3)
    }

    @Test func integersAndDoublesStayApart() throws {
        #expect(try JSON.parse("1") == .int(1))
        #expect(try JSON.parse("1.0") == .double(1))
        #expect(try JSON.parse("1e0") == .double(1))
    }

    @Test func parseObjectRejectsOtherTopLevels() {
        for input in ["[]", "1", "\"{}\"", "null"] {
            #expect(thrown { () throws(JSONError) in try JSON.parseObject(input) }?.code == .notAnObject)
        }
    }

    @Test func messagesNeverEchoValues() throws {
        let inputs = ["{\"pin\":'123456'}", "{\"pin\":\"123456\"} 123456", "{\"pin\":123456e999}",
                      "{\"pin\":\"12\t3456\"}", "[123456,]", "123456789012345678901234"]
        for input in inputs {
            let error = try #require(parseError(input))
            #expect(!error.description.contains("3456"), "\(error)")
        }
    }
}
