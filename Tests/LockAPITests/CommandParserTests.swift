import Foundation
import JSON
import LockAPI
import LockCore
import Testing

@Suite struct CommandParserTests {
    let now = Date(timeIntervalSince1970: 1_795_600_800)

    func parse(_ text: String) -> Result<CommandRequest, CommandRejection> {
        CommandParser.parse(Array(text.utf8), now: now, maxAge: 30, minCodeLength: 6)
    }

    func refusal(_ text: String) -> CommandRejection? {
        if case .failure(let rejection) = parse(text) { return rejection }
        return nil
    }

    @Test func plainHomeAssistantPayloads() throws {
        for (text, action) in [("LOCK", PublicAction.lock), ("UNLOCK", .unlock), ("OPEN", .open)] {
            let request = try parse(text).get()
            #expect(request.action == action)
            #expect(request.isPlain)
            #expect(request.requestID == nil)
        }
    }

    @Test func readsAFullCommand() throws {
        let request = try parse(#"{"command":"unlock","code":"583920","request_id":"abc-1","issued_at":"2026-11-25T10:00:00+00:00"}"#).get()
        #expect(request.action == .unlock)
        #expect(request.requestID == "abc-1")
        #expect(request.code?.reveal() == "583920")
        #expect(request.issuedAt == now)
    }

    @Test func setCodeCarriesTheNewCodeAndTheAuthCodeApart() throws {
        let request = try parse(#"{"command":"set_code","slot":2,"name":"Dog walker","code":"583920","auth_code":"777111","replace":true}"#).get()
        guard case .setCode(let slot, let name, let code, _, let replace) = request.action else {
            Issue.record("not a set_code: \(request.action)")
            return
        }
        #expect(slot == 2 && name == "Dog walker" && replace)
        #expect(code.reveal() == "583920")
        #expect(request.code?.reveal() == "777111")
    }

    @Test(arguments: [
        ("{nope", LockErrorCode.invalidJSON, nil as String?),
        ("[1]", .invalidJSON, nil),
        (#"{"command":"unlock"} x"#, .invalidJSON, nil),
        (#"{"command":"dance"}"#, .invalidCommand, nil),
        (#"{"request_id":"a"}"#, .invalidCommand, nil),
        (#"{"status":"ok","command":"unlock"}"#, .invalidCommand, nil),
        (#"{"command":"unlock","request_id":""}"#, .invalidField, "request_id"),
        (#"{"command":"unlock","request_id":"\#(String(repeating: "x", count: 129))"}"#, .invalidField, "request_id"),
        (#"{"command":"unlock","issued_at":"yesterday"}"#, .invalidField, "issued_at"),
        (#"{"command":"unlock","issued_at":"2026-11-25T10:01:00Z"}"#, .invalidField, "issued_at"),
        (#"{"command":"unlock","issued_at":"2026-11-25T09:59:00Z"}"#, .expired, nil),
        (#"{"command":"unlock","colour":"red"}"#, .invalidField, "colour"),
        (#"{"command":"unlock","code":583920}"#, .invalidField, "code"),
        (#"{"command":"unlock","code":"12a4"}"#, .invalidField, "code"),
        (#"{"command":"clear_code","slot":0}"#, .invalidField, "slot"),
        (#"{"command":"clear_code","slot":251}"#, .invalidField, "slot"),
        (#"{"command":"clear_code","slot":"1"}"#, .invalidField, "slot"),
        (#"{"command":"clear_code"}"#, .invalidField, "slot"),
        (#"{"command":"set_code","slot":1,"name":"","code":"583920"}"#, .invalidField, "name"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"123456"}"#, .weakCode, "code"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"1111"}"#, .weakCode, "code"),
        (#"{"command":"set_code","slot":1,"name":"A"}"#, .invalidField, "code"),
        (#"{"command":"set_override_code","code":"583920"}"#, .weakCode, "code"),
        (#"{"command":"set_mode","mode":"party"}"#, .invalidField, "mode"),
        (#"{"command":"set_config"}"#, .invalidField, nil),
        (#"{"command":"set_config","wrong_code_limit":11}"#, .invalidField, "wrong_code_limit"),
        (#"{"command":"set_config","lockout_s":10}"#, .invalidField, "lockout_s"),
        (#"{"command":"add_phone","id":"a b","name":"A"}"#, .invalidField, "id"),
        (#"{"command":"factory_reset"}"#, .invalidField, "confirm"),
        (#"{"command":"ack_fault","fault":"jammed"}"#, .invalidField, "fault"),
    ])
    func refusesWithTheRightCode(_ text: String, _ code: LockErrorCode, _ field: String?) throws {
        let rejection = try #require(refusal(text), "\(text) was accepted")
        #expect(rejection.error.code == code, "\(text)")
        if let field { #expect(rejection.error.field == field, "\(text)") }
    }

    @Test func aGoodOverrideCodeIsAccepted() throws {
        let request = try parse(#"{"command":"set_override_code","code":"58392011"}"#).get()
        #expect(request.action == .setOverrideCode(code: PlainCode("58392011")))
    }

    @Test func rejectionsKeepTheRequestIDAndNeverTheCode() throws {
        for text in [
            #"{"command":"set_code","slot":1,"name":"A","code":"123456","request_id":"r9"}"#,
            #"{"command":"unlock","code":"9x246813","request_id":"r9"}"#,
            #"{"command":"set_override_code","code":"246813","request_id":"r9"}"#,
        ] {
            let rejection = try #require(refusal(text))
            #expect(rejection.requestID == "r9")
            let rendered = "\(rejection) \(String(reflecting: rejection)) \(rejection.error.message)"
            for secret in ["123456", "246813"] { #expect(!rendered.contains(secret)) }
        }
        let accepted = try parse(#"{"command":"unlock","code":"246813"}"#).get()
        #expect(!"\(accepted) \(String(reflecting: accepted))".contains("246813"))
    }

    @Test func resultPayloadsAreExactlyAsSpecified() {
        let ok = ResultPayload.bytes(requestID: "abc-1", command: "unlock", error: nil, at: now)
        #expect(String(decoding: ok, as: UTF8.self)
            == #"{"request_id":"abc-1","command":"unlock","status":"ok","error":null,"at":"2026-11-25T10:00:00.000Z"}"#)
        let weak = ResultPayload.bytes(
            requestID: "abc-2", command: "set_code", error: LockError(.weakCode, "code is an ascending sequence", field: "code"), at: now, duplicate: true)
        #expect(String(decoding: weak, as: UTF8.self)
            == #"{"request_id":"abc-2","command":"set_code","status":"error","error":{"code":"weak_code","message":"code is an ascending sequence","field":"code"},"at":"2026-11-25T10:00:00.000Z","duplicate":true}"#)
    }
}
