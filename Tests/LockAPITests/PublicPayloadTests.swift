import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// The public payloads a client writes (commands, bridge requests) and reads (results,
/// responses, events), each checked in both directions against the other side's code.
@Suite struct PublicPayloadTests {
    static let now = Date(timeIntervalSince1970: 1_795_600_800)

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    private func parse(_ bytes: [UInt8]) -> Result<CommandRequest, CommandRejection> {
        CommandParser.parse(bytes, now: Self.now, maxAge: 300, minCodeLength: 4)
    }

    static let actions: [PublicAction] = [
        .lock, .unlock, .open, .restart, .refresh,
        .setCode(slot: 3, name: "Dog walker", code: "482915", validUntil: now.addingTimeInterval(86_400), replace: true),
        .setCode(slot: 250, name: "Anna", code: "730184", validUntil: nil, replace: false),
        .clearCode(slot: 1), .enableCode(slot: 2), .disableCode(slot: 3), .revokeFob(slot: 4),
        .enrollFob(name: "Blue fob", slot: nil), .enrollFob(name: "Red fob", slot: 9),
        .addPhone(id: "anna-pixel", name: "Anna"), .revokePhone(id: "anna-pixel"),
        .setOverrideCode(code: "90817263"), .setMode(.vacation),
        .setConfig(LockConfigPatch(autoRelockSeconds: 30, wrongCodeLimit: nil, lockoutSeconds: 120, requireCodeForRemote: true)),
        .factoryReset(confirm: "front-door"), .ackFault(.overrideUsed),
    ]

    @Test(arguments: actions)
    func everyCommandParsesBackToItself(_ action: PublicAction) throws {
        let request = CommandRequest(requestID: "cli-1", issuedAt: Self.now, code: "5161", action: action)
        #expect(try parse(request.payload()).get() == request)
    }

    @Test func aCommandWithoutIDTimeOrCodeParsesBackToItself() throws {
        let request = CommandRequest(action: .unlock)
        #expect(text(request.payload()) == #"{"command":"unlock"}"#)
        #expect(try parse(request.payload()).get() == request)
    }

    @Test func theRemoteCodeGoesInAuthCodeWhenCodeIsTheNewCode() throws {
        let request = CommandRequest(requestID: "r", code: "5161", action: .setOverrideCode(code: "90817263"))
        let o = try JSON.parseObject(request.payload())
        #expect(o["auth_code"]?.stringValue == "5161" && o["code"]?.stringValue == "90817263")
        let unlock = try JSON.parseObject(CommandRequest(requestID: "r", code: "5161", action: .unlock).payload())
        #expect(unlock["code"]?.stringValue == "5161" && unlock["auth_code"] == nil)
    }

    @Test func resultsReadBackWhatTheBridgeWrote() throws {
        let ok = try PublicResult(payload: ResultPayload.bytes(requestID: "abc-1", command: "unlock", error: nil, at: Self.now, duplicate: true))
        #expect(ok == PublicResult(requestID: "abc-1", command: "unlock", error: nil, at: Self.now, duplicate: true))
        let refused = try PublicResult(payload: ResultPayload.bytes(
            requestID: "abc-2", command: "unlock", error: LockError(.wrongCode, "the remote code is wrong"), at: Self.now))
        #expect(refused.error == BridgeRequestError(code: "wrong_code", message: "the remote code is wrong") && !refused.isOK)
        let unreadable = try PublicResult(payload: ResultPayload.bytes(requestID: nil, command: nil, error: LockError(.invalidJSON, "x"), at: Self.now))
        #expect(unreadable.requestID == nil && unreadable.command == nil)
        #expect(throws: JSONError.self) { try PublicResult(payload: Array(#"{"status":"maybe","at":"2026-11-25T10:00:00Z"}"#.utf8)) }
    }

    static let requests: [BridgeRequest] = [
        .locks(lock: nil), .locks(lock: LockID("front-door")!), .credentials(lock: LockID("back")!), .remove(lock: LockID("old")!), .health,
        .history(lock: LockID("front-door")!, since: now, limit: 50), .history(lock: LockID("x")!, since: nil, limit: 100),
    ]

    @Test(arguments: requests)
    func everyBridgeRequestParsesBackToItself(_ request: BridgeRequest) throws {
        let (parsed, transaction) = BridgeRequest.parse(name: request.name, payload: request.payload(transaction: "t-1"))
        #expect(try parsed.get() == request)
        #expect(transaction == .string("t-1"))
    }

    @Test func badBridgeRequestsAreRefusedWithTheirTransaction() throws {
        let cases: [(String, String, String)] = [
            ("history", #"{"transaction":7}"#, "invalid_field"),
            ("history", #"{"lock":"a","limit":0,"transaction":7}"#, "invalid_field"),
            ("history", #"{"lock":"a","since":"yesterday","transaction":7}"#, "invalid_field"),
            ("locks", #"{"lock":"Not An Id","transaction":7}"#, "invalid_field"),
            ("remove", #"{"transaction":7}"#, "invalid_field"),
            ("reboot", #"{"transaction":7}"#, "unknown_request"),
        ]
        for (name, payload, code) in cases {
            let (parsed, transaction) = BridgeRequest.parse(name: name, payload: Array(payload.utf8))
            guard case .failure(let error) = parsed else {
                Issue.record("\(name) \(payload) was accepted")
                continue
            }
            #expect(error.code == code, "\(name) \(payload)")
            #expect(transaction == .int(7))
        }
        // An empty payload is `{}`: fine for the requests that take nothing.
        #expect(try BridgeRequest.parse(name: "health", payload: []).request.get() == .health)
    }

    @Test func responsesReadBackWhatTheBridgeWrote() throws {
        let ok = BridgeResponse(data: .array([.int(1)]), transaction: .string("t"))
        #expect(try BridgeResponse(payload: ok.payload) == ok)
        let refused = BridgeResponse(error: BridgeRequestError(code: "not_found", message: "no lock \"x\""), transaction: .null)
        #expect(try BridgeResponse(payload: refused.payload) == refused)
    }

    @Test func accessEventsReadBackWithWhoAndWhy() throws {
        let access = AccessEvent(
            eventType: .unlockFailed, method: .keypad, credential: CredentialRef(type: .pin, slot: 2, name: "Dog walker"), reason: .wrongCode)
        var o = EventPayload.access(access)
        o["seq"] = 41
        o["epoch"] = 2
        o["at"] = "2026-11-25T10:00:00Z"
        let event = try PublicEvent(payload: o.serializedBytes())
        #expect(event.eventType == "unlock_failed" && event.method == "keypad" && event.reason == "wrong_code")
        #expect(event.credential == PublicEvent.Credential(type: "pin", slot: 2, id: nil, name: "Dog walker"))
        #expect(event.seq == 41 && event.epoch == 2 && !event.delayed && event.source == nil)
    }

    @Test func bridgeFaultsReadBackWithTheirSourceAndNumbers() throws {
        let json = #"{"event_type":"fault_raised","fault":"battery_low","severity":"warning","detail":{"percent":19},"source":"bridge","epoch":3,"seq":9,"at":"2026-11-25T10:00:00Z","delayed":true}"#
        let event = try PublicEvent(payload: Array(json.utf8))
        #expect(event.fault == "battery_low" && event.severity == "warning" && event.source == "bridge" && event.delayed)
        #expect(event.detail?.objectValue?["percent"] == .int(19))
        #expect(throws: JSONError.self) { try PublicEvent(payload: Array(#"{"fault":"x"}"#.utf8)) }
    }

    @Test func lockFaultDetailsAreJSONNumbers() throws {
        let fault = LockEvent(
            seq: 7, epoch: 1, at: Self.now, body: .fault(FaultEvent(raised: true, fault: .wrongCodeLimit, detail: ["lockout_s": 60])))
        let text = String(decoding: try EventPayload.object(fault).serializedBytes(), as: UTF8.self)
        #expect(text.contains(#""detail":{"lockout_s":60}"#), "spec 3.3: numbers in detail are JSON numbers, whoever raised the fault")
        #expect(try PublicEvent(payload: Array(text.utf8)).detail?.objectValue?["lockout_s"] == .int(60))
    }

    @Test func faultsSavedWithTextDetailStillLoad() throws {
        let saved = #"{"raised":true,"fault":"door_ajar","detail":{"seconds":"120"}}"#
        let fault = try JSONDecoder().decode(FaultEvent.self, from: Data(saved.utf8))
        #expect(fault.detail == ["seconds": 120])
        #expect(try JSONDecoder().decode(FaultEvent.self, from: JSONEncoder().encode(fault)) == fault)
    }
}
