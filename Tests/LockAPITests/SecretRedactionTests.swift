import Foundation
import LockAPI
import LockCore
import Testing

/// A code must never appear in what the parser says back: messages, fields, descriptions,
/// reflections and dumps, of rejections and of accepted requests alike.
@Suite struct SecretRedactionTests {
    static let secrets = [Cmd.pin, Cmd.overridePin]

    /// Payloads that carry one of the secrets somewhere a careless parser might repeat it.
    static let payloads: [String] = {
        let pin = Cmd.pin
        let over = Cmd.overridePin
        return [
            #"{"command":"unlock","code":"\#(pin)","slot":1}"#,
            #"{"command":"unlock","code":"\#(pin)","issued_at":"\#(Cmd.stamp(-999))"}"#,
            #"{"command":"unlock","code":"\#(pin)","issued_at":"\#(Cmd.stamp(999))"}"#,
            #"{"command":"unlock","code":"\#(pin)x"}"#,
            #"{"command":"unlock","code":"\#(pin)\#(over)"}"#,
            #"{"command":"unlock","code":\#(pin)}"#,
            #"{"command":"unlock","code":["\#(pin)"]}"#,
            #"{"command":"unlock","code":{"pin":"\#(pin)"}}"#,
            #"{"command":"unlock","code":"\#(pin)","status":"ok"}"#,
            #"{"command":"unlock","\#(pin)":"\#(pin)"}"#,
            #"{"command":"unlock","code_\#(pin)":true}"#,
            #"{"command":"dance","code":"\#(pin)"}"#,
            #"{"command":"\#(pin)"}"#,
            #"{"command":"unlock","code":"\#(pin)"#,
            #"{"command":"unlock","code":"\#(pin)"} trailing"#,
            #"{"command":"unlock","code":'\#(pin)'}"#,
            #"{"command":"set_code","slot":0,"name":"A","code":"\#(pin)"}"#,
            #"{"command":"set_code","slot":1,"name":"A","code":"\#(pin)","auth_code":"\#(over)00000"}"#,
            #"{"command":"set_code","slot":1,"name":"A","code":"\#(pin)","valid_until":"\#(pin)"}"#,
            #"{"command":"set_code","slot":1,"name":"A","code":"\#(pin)","replace":1}"#,
            #"{"command":"set_code","slot":1,"name":"A","code":"\#(pin)\#(pin)0"}"#,
            #"{"command":"set_code","slot":1,"name":"A","code":"\#(pin)","auth_code":"\#(over)","bogus":1}"#,
            #"{"command":"set_code","slot":1,"name":"A","code":"\#(over)","auth_code":"\#(pin)","valid_until":"2000-01-01T00:00:00Z"}"#,
            #"{"command":"set_code","slot":1,"name":"A","code":"\#(pin.prefix(4))"}"#,
            #"{"command":"set_override_code","code":"\#(pin)"}"#,
            #"{"command":"set_override_code","code":"\#(over)","auth_code":"\#(pin)","x":1}"#,
            #"{"command":"set_mode","mode":"\#(pin)","code":"\#(over)"}"#,
            #"{"command":"set_config","lockout_s":\#(pin),"code":"\#(over)"}"#,
            #"{"command":"add_phone","id":"\#(pin) \#(over)","name":"A","code":"\#(over)"}"#,
            #"{"command":"ack_fault","fault":"\#(pin)","code":"\#(over)"}"#,
            #"{"command":"enroll_fob","name":"\#(pin)\n","code":"\#(over)"}"#,
            #"{"command":"clear_code","slot":\#(pin),"code":"\#(over)"}"#,
        ]
    }()

    @Test(arguments: payloads)
    func rejectionsNeverCarryACode(_ payload: String) throws {
        let rejection = try Cmd.rejection(payload)
        let texts = Self.renderings(of: rejection)
            + Self.renderings(of: rejection.error)
            + [rejection.error.message, rejection.error.field ?? "", rejection.command ?? "", rejection.requestID ?? ""]
            + [String(decoding: ResultPayload.bytes(for: rejection, assignedRequestID: "x", at: Cmd.now), as: UTF8.self)]
        for text in texts {
            for secret in Self.secrets {
                #expect(!text.contains(secret), "\(payload) leaked in: \(text)")
            }
            // Nor a long enough piece of one (a truncated echo is still a leak).
            #expect(!text.contains(Cmd.pin.prefix(4)), "\(payload) leaked in: \(text)")
        }
    }

    @Test func acceptedRequestsNeverPrintTheirCodes() throws {
        let pin = Cmd.pin
        let over = Cmd.overridePin
        let requests = [
            try Cmd.request(#"{"command":"set_code","slot":1,"name":"A","code":"\#(pin)","auth_code":"\#(over)"}"#),
            try Cmd.request(#"{"command":"set_override_code","code":"\#(over)","auth_code":"\#(pin)"}"#),
            try Cmd.request(#"{"command":"unlock","code":"\#(pin)"}"#),
        ]
        for request in requests {
            for text in Self.renderings(of: request) {
                for secret in Self.secrets {
                    #expect(!text.contains(secret), "leaked in: \(text)")
                }
                #expect(text.contains("redacted"), "a code should still show that it is there: \(text)")
            }
            for text in Self.renderings(of: request.action) {
                for secret in Self.secrets {
                    #expect(!text.contains(secret), "leaked in: \(text)")
                }
            }
        }
    }

    @Test func revealGivesTheCodeBackForHashing() throws {
        let request = try Cmd.request(#"{"command":"unlock","code":"\#(Cmd.pin)"}"#)
        #expect(request.code?.reveal() == Cmd.pin)
    }

    /// Everything Swift offers to turn a value into text.
    static func renderings(of value: some Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return ["\(value)", String(describing: value), String(reflecting: value), dumped]
    }
}
