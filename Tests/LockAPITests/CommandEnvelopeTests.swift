import Foundation
import LockAPI
import LockCore
import Testing

@Suite struct PlainPayloadTests {
    @Test(arguments: [
        ("LOCK", PublicAction.lock), ("UNLOCK", .unlock), ("OPEN", .open),
        ("lock", .lock), ("Unlock", .unlock), ("open\n", .open), (" \tLOCK\r\n", .lock),
    ])
    func plainPayloads(_ payload: String, _ action: PublicAction) throws {
        let request = try Cmd.request(payload)
        #expect(request.action == action)
        #expect(request.isPlain)
        #expect(request.requestID == nil && request.issuedAt == nil && request.code == nil)
    }

    @Test(arguments: ["LOCKED", "LO CK", "UNLOCK NOW", "\"LOCK\"", "TOGGLE", "", "   "])
    func otherTextIsInvalidJSON(_ payload: String) throws {
        let rejection = try Cmd.rejection(payload)
        #expect(rejection.error.code == .invalidJSON)
        #expect(rejection.requestID == nil && rejection.command == nil)
    }

    @Test func jsonCommandIsNotPlain() throws {
        #expect(try !Cmd.request(#"{"command":"lock"}"#).isPlain)
    }
}

@Suite struct InvalidJSONTests {
    static let payloads: [[UInt8]] = [
        Array("{\"command\":\"lock\"".utf8),  // unterminated
        Array("[\"lock\"]".utf8),  // not an object
        Array("42".utf8),
        Array("{\"command\":\"lock\"} {}".utf8),  // trailing data
        Array("{'command':'lock'}".utf8),  // single quotes
        Array("{\"command\":\"lock\",\"slot\":NaN}".utf8),
        [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D],  // invalid UTF-8 in a key
        Array("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}".utf8),  // depth 5
        // Beyond Int64 the JSON module refuses the number itself, before any field is read.
        Array("{\"command\":\"clear_code\",\"slot\":99999999999999999999}".utf8),
        Array(("{\"command\":\"lock\",\"request_id\":\"" + String(repeating: "x", count: 8200) + "\"}").utf8),
    ]

    @Test(arguments: payloads)
    func rejectedWithoutRequestID(_ payload: [UInt8]) throws {
        let rejection = try Cmd.rejection(payload)
        #expect(rejection.error.code == .invalidJSON)
        #expect(rejection.requestID == nil)
        #expect(rejection.command == nil)
    }

    @Test func depthFourIsAccepted() throws {
        // Depth counts arrays and objects: the top object is 1; nothing real nests, but the limit
        // must not be off by one against a payload that is exactly at it.
        let rejection = try Cmd.rejection(#"{"command":"lock","x":{"a":{"b":[1]}}}"#)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == "x")
    }
}

@Suite struct StatusKeyTests {
    @Test(arguments: [
        #"{"request_id":"abc-1","command":"unlock","status":"ok","error":null,"at":"2026-11-25T10:00:00.000Z"}"#,
        #"{"command":"lock","status":null}"#,
        #"{"status":"error"}"#,
    ])
    func resultRepublishedOntoSetNeverActs(_ payload: String) throws {
        let rejection = try Cmd.rejection(payload)
        #expect(rejection.error.code == .invalidCommand)
    }

    @Test func ourOwnResultIsRefused() throws {
        let result = ResultPayload.bytes(requestID: "abc-1", command: "unlock", error: nil, at: Cmd.now)
        let rejection = try Cmd.rejection(result)
        #expect(rejection.error.code == .invalidCommand)
        #expect(rejection.requestID == "abc-1")
        #expect(rejection.command == "unlock")
    }
}

@Suite struct CommandNameTests {
    @Test(arguments: [#"{}"#, #"{"command":null}"#, #"{"request_id":"r1"}"#])
    func missingCommand(_ payload: String) throws {
        #expect(try Cmd.rejection(payload).error.code == .invalidCommand)
    }

    @Test(arguments: [#"{"command":"dance"}"#, #"{"command":"LOCK"}"#, #"{"command":5}"#, #"{"command":["lock"]}"#])
    func unknownCommand(_ payload: String) throws {
        let rejection = try Cmd.rejection(payload)
        #expect(rejection.error.code == .invalidCommand)
        #expect(rejection.command == nil)
    }

    @Test func rejectionEchoesKnownCommandAndValidRequestID() throws {
        let rejection = try Cmd.rejection(#"{"command":"clear_code","request_id":"abc-9"}"#)
        #expect(rejection.command == "clear_code")
        #expect(rejection.requestID == "abc-9")
        #expect(rejection.error.field == "slot")
    }
}

@Suite struct RequestIDTests {
    @Test(arguments: ["a", "abc-1", "ha:2026-11-25 10:00", String(repeating: "x", count: 128), "~!@#$%^&*()"])
    func accepted(_ id: String) throws {
        let request = try Cmd.request(#"{"command":"lock","request_id":"\#(id)"}"#)
        #expect(request.requestID == id)
    }

    @Test(arguments: [
        #""""#, "\"\(String(repeating: "x", count: 129))\"", #""tab\there""#, #""née""#, #""new\nline""#, "12", "true",
        "{}",
    ])
    func refused(_ json: String) throws {
        let rejection = try Cmd.rejection(#"{"command":"lock","request_id":\#(json)}"#)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == "request_id")
        #expect(rejection.requestID == nil)
        #expect(rejection.command == "lock")
    }

    @Test func nullMeansNone() throws {
        #expect(try Cmd.request(#"{"command":"lock","request_id":null}"#).requestID == nil)
    }
}

@Suite struct IssuedAtTests {
    private func payload(_ stamp: String) -> String { #"{"command":"unlock","request_id":"r","issued_at":"\#(stamp)"}"# }

    @Test(arguments: [true, false])
    func freshIsAccepted(zulu: Bool) throws {
        for seconds: TimeInterval in [0, -29, -30, 4, 5] {
            let request = try Cmd.request(payload(Cmd.stamp(seconds, zulu: zulu)))
            #expect(request.issuedAt == Cmd.now.addingTimeInterval(seconds), "\(seconds) s")
        }
    }

    @Test(arguments: [true, false])
    func olderThanMaxAgeIsExpired(zulu: Bool) throws {
        for seconds: TimeInterval in [-30.5, -31, -3600] {
            let rejection = try Cmd.rejection(payload(Cmd.stamp(seconds, zulu: zulu)))
            #expect(rejection.error.code == .expired, "\(seconds) s")
            #expect(rejection.requestID == "r")
            #expect(rejection.command == "unlock")
        }
    }

    @Test(arguments: [true, false])
    func farFutureIsInvalidField(zulu: Bool) throws {
        for seconds: TimeInterval in [5.5, 6, 86_400] {
            let rejection = try Cmd.rejection(payload(Cmd.stamp(seconds, zulu: zulu)))
            #expect(rejection.error.code == .invalidField, "\(seconds) s")
            #expect(rejection.error.field == "issued_at")
        }
    }

    @Test func otherOffsetsCountTheSameInstant() throws {
        // 10:00:00Z is 11:00:00+01:00 and 04:30:00-05:30.
        for stamp in ["2026-11-25T11:00:00+01:00", "2026-11-25T04:30:00-05:30", "2026-11-25T10:00:00.000000+00:00"] {
            #expect(try Cmd.request(payload(stamp)).issuedAt == Cmd.now, "\(stamp)")
        }
        #expect(try Cmd.rejection(payload("2026-11-25T10:00:00+01:00")).error.code == .expired)
    }

    @Test func maxAgeIsTheCallersSetting() {
        let bytes = Array(payload(Cmd.stamp(-100)).utf8)
        let strict = CommandParser.parse(bytes, now: Cmd.now, maxAge: 30, minCodeLength: 6)
        let lenient = CommandParser.parse(bytes, now: Cmd.now, maxAge: 120, minCodeLength: 6)
        #expect((try? strict.get()) == nil)
        #expect((try? lenient.get()) != nil)
    }

    @Test(arguments: [#""yesterday""#, #""2026-11-25 10:00""#, #""2026-11-25T10:00:00""#, "1795600800", "true"])
    func malformedIsInvalidField(_ json: String) throws {
        let rejection = try Cmd.rejection(#"{"command":"lock","issued_at":\#(json)}"#)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == "issued_at")
    }
}

@Suite struct UnknownFieldTests {
    @Test(arguments: [
        (#"{"command":"lock","valid_untill":"x"}"#, "valid_untill"),
        (#"{"command":"set_mode","mode":"normal","Mode":"privacy"}"#, "Mode"),
        (#"{"command":"restart","slot":1}"#, "slot"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","auth":"1234"}"#, "auth"),
        // `auth_code` belongs to set_code and set_override_code only.
        (#"{"command":"unlock","auth_code":"1234"}"#, "auth_code"),
        (#"{"command":"set_config","auto_relock_s":5,"door_ajar_s":60}"#, "door_ajar_s"),
    ])
    func refusedNamingTheField(_ payload: String, _ field: String) throws {
        let rejection = try Cmd.rejection(payload)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == field)
    }

    @Test func aKeyWithDigitsIsNotEchoed() throws {
        let rejection = try Cmd.rejection(#"{"command":"unlock","246813":true}"#)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == nil)
        #expect(!rejection.error.message.contains("246813"))
    }
}
