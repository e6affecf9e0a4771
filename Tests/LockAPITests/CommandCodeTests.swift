import Foundation
import LockAPI
import LockCore
import Testing

@Suite struct RemoteCodeTests {
    @Test(arguments: ["2468", "024681", "123456789012"])
    func acceptedOnBoltCommands(_ code: String) throws {
        // The remote-operation code is checked by the lock, not the PIN policy: only its shape here.
        #expect(try Cmd.request(#"{"command":"unlock","code":"\#(code)"}"#).code == SecretCode(code))
    }

    @Test(arguments: [#""123""#, #""1234567890123""#, #""12a4""#, #""""#, #"" 1234""#, "1234", "true", #""١٢٣٤""#])
    func malformedIsInvalidField(_ json: String) throws {
        let rejection = try Cmd.rejection(#"{"command":"open","code":\#(json)}"#)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == "code")
    }

    @Test(arguments: [
        (#"{"command":"restart""#, PublicAction.restart), (#"{"command":"refresh""#, .refresh),
        (#"{"command":"lock""#, .lock), (#"{"command":"disable_code","slot":1"#, .disableCode(slot: 1)),
        (#"{"command":"set_mode","mode":"normal""#, .setMode(.normal)),
    ])
    func anyOtherCommandMayCarryIt(_ start: String, _ action: PublicAction) throws {
        let request = try Cmd.request(start + #","code":"2468"}"#)
        #expect(request.code == "2468")
        #expect(request.action == action)
    }

    @Test func setCodeCarriesItInAuthCode() throws {
        let request = try Cmd.request(
            #"{"command":"set_code","slot":3,"name":"Cleaner","code":"246813","auth_code":"9753"}"#)
        #expect(request.code == "9753")
        #expect(request.action == .setCode(slot: 3, name: "Cleaner", code: "246813", validUntil: nil, replace: false))
    }

    @Test func setOverrideCodeCarriesItInAuthCode() throws {
        let request = try Cmd.request(#"{"command":"set_override_code","code":"73915084","auth_code":"9753"}"#)
        #expect(request.code == "9753")
        #expect(request.action == .setOverrideCode(code: "73915084"))
    }

    @Test func setCodeWithoutAuthCodeHasNone() throws {
        // The new code must never be mistaken for the remote-operation code.
        #expect(try Cmd.request(#"{"command":"set_code","slot":3,"name":"C","code":"246813"}"#).code == nil)
    }

    @Test func malformedAuthCodeNamesAuthCode() throws {
        let rejection = try Cmd.rejection(#"{"command":"set_code","slot":3,"name":"C","code":"246813","auth_code":"12"}"#)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == "auth_code")
    }
}

@Suite struct WeakCodeTests {
    /// A weak new code for set_code, with the rule the spec says must be named.
    static let keypadCases: [(String, PINRule)] = [
        ("24681", .tooShort),
        ("12a456", .notDigits),
        ("123456", .commonCode),
        ("222222", .repeatedDigit),
        ("345678", .ascendingSequence),
        ("876543", .descendingSequence),
        ("258369", .keypadPattern),
    ]

    @Test(arguments: keypadCases)
    func setCodeRefusesWeakCodes(_ code: String, _ rule: PINRule) throws {
        let rejection = try Cmd.rejection(
            #"{"command":"set_code","request_id":"w1","slot":2,"name":"A","code":"\#(code)"}"#)
        #expect(rejection.error.code == .weakCode)
        #expect(rejection.error.rule == rule)
        #expect(rejection.error.message == rule.message)
        #expect(!rejection.error.message.contains(code))
        #expect(rejection.requestID == "w1")
        #expect(rejection.command == "set_code")
    }

    @Test func minimumLengthIsTheCallersSetting() throws {
        let payload = #"{"command":"set_code","slot":2,"name":"A","code":"2691"}"#
        #expect(try Cmd.rejection(payload, minCodeLength: 6).error.rule == .tooShort)
        #expect(try Cmd.request(payload, minCodeLength: 4).action
            == .setCode(slot: 2, name: "A", code: "2691", validUntil: nil, replace: false))
    }

    @Test func fourDigitYearIsWeakWhenFourDigitsAreAllowed() throws {
        let rejection = try Cmd.rejection(#"{"command":"set_code","slot":2,"name":"A","code":"1987"}"#, minCodeLength: 4)
        #expect(rejection.error.rule == .year)
    }

    @Test(arguments: [("2468135", PINRule.tooShort), ("14702580", .keypadPattern), ("12345678", .commonCode),
                      ("88888888", .repeatedDigit)])
    func overrideCodeUsesTheOverridePolicy(_ code: String, _ rule: PINRule) throws {
        // 2468135 is a fine keypad code but one digit short of the override minimum of 8.
        let rejection = try Cmd.rejection(#"{"command":"set_override_code","code":"\#(code)"}"#, minCodeLength: 4)
        #expect(rejection.error.code == .weakCode)
        #expect(rejection.error.rule == rule)
    }

    @Test(arguments: ["set_code\",\"slot\":1,\"name\":\"A", "set_override_code"])
    func tooLongIsInvalidField(_ command: String) throws {
        let rejection = try Cmd.rejection(#"{"command":"\#(command)","code":"2468135790246"}"#)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == "code")
    }

    @Test(arguments: ["set_code\",\"slot\":1,\"name\":\"A", "set_override_code"])
    func missingOrMistypedNewCodeIsInvalidField(_ command: String) throws {
        for json in ["", #","code":246813"#, #","code":null"#] {
            let rejection = try Cmd.rejection(#"{"command":"\#(command)"\#(json)}"#)
            #expect(rejection.error.code == .invalidField, "\(json)")
            #expect(rejection.error.field == "code", "\(json)")
        }
    }
}
