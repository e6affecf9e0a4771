@testable import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Every safety rule of spec section 4, each with the error code it answers, without a broker.
@Suite struct SafetyRuleTests {
    func ready() -> CoreHarness {
        var h = CoreHarness()
        h.connect()
        h.report("door")
        return h
    }

    func code(_ effects: [BridgeEffect], _ lock: String = "door") -> String? {
        effects.json("lockbridge/\(lock)/result").last?["error"]?.objectValue?["code"]?.stringValue
    }

    @Test func anUnknownLockIsNotFoundAndRateLimited() {
        var h = ready()
        #expect(code(h.command("nobody", #"{"command":"unlock","request_id":"a"}"#), "nobody") == "not_found")
        #expect(h.command("nobody", #"{"command":"unlock","request_id":"b"}"#).isEmpty)
        h.advance(1.1)
        #expect(code(h.command("nobody", #"{"command":"unlock","request_id":"c"}"#), "nobody") == "not_found")
        // Without an id it gets one, like any readable command (spec 4); unreadable stays null.
        h.advance(1.1)
        let plain = h.command("nobody", #"{"command":"unlock"}"#).json("lockbridge/nobody/result").last
        #expect(plain?["request_id"]?.stringValue?.hasPrefix("lb-id-") == true)
        h.advance(1.1)
        #expect(h.command("nobody", "{nope").json("lockbridge/nobody/result").last?["request_id"]?.isNull == true)
        h.advance(1.1)
        let text = h.command("nobody", "UNLOCK").json("lockbridge/nobody/result").last
        #expect(text?["request_id"]?.stringValue?.hasPrefix("lb-id-") == true && text?["command"]?.stringValue == "unlock")
    }

    @Test func aRetainedCommandWithoutIdGetsOneAndAnUnknownLocksIsClearedToo() {
        var h = ready()
        let plain = h.command("door", #"{"command":"lock"}"#, retained: true)
        #expect(code(plain) == "retained_rejected")
        #expect(plain.json("lockbridge/door/result").last?["request_id"]?.stringValue?.hasPrefix("lb-id-") == true)
        let stale = h.command("gone", #"{"command":"unlock","request_id":"old"}"#, retained: true)
        #expect(code(stale, "gone") == "retained_rejected")
        #expect(stale.publications.first?.topic == "lockbridge/gone/set" && stale.publications.first?.payload == [] && stale.publications.first?.retain == true)
    }

    @Test func aRetainedCommandIsRefusedClearedAndEchoesItsIdAndCommand() {
        var h = ready()
        let out = h.command("door", #"{"command":"unlock","request_id":"kept"}"#, retained: true)
        let result = out.json("lockbridge/door/result").last!
        #expect(result["error"]?.objectValue?["code"]?.stringValue == "retained_rejected")
        #expect(result["request_id"]?.stringValue == "kept" && result["command"]?.stringValue == "unlock")
        #expect(out.publications.first?.topic == "lockbridge/door/set" && out.publications.first?.payload == [] && out.publications.first?.retain == true)
        #expect(!out.publications.contains { $0.topic.hasSuffix("/cmd") })
        // The clear comes back as an empty retained message: ignored, not answered.
        #expect(h.command("door", "", retained: true).isEmpty)
    }

    @Test func whatThePayloadShowsIsRefusedByTheParser() {
        var h = ready()
        let bad = h.command("door", "{nope")
        #expect(code(bad) == "invalid_json")
        #expect(bad.json("lockbridge/door/result").last?["request_id"]?.isNull == true)
        let unknown = h.command("door", #"{"command":"dance"}"#)
        #expect(code(unknown) == "invalid_command")
        // Readable but refused: the bridge assigns an id, from the injected source.
        #expect(unknown.json("lockbridge/door/result").last?["request_id"]?.stringValue?.hasPrefix("lb-id-") == true)
        #expect(code(h.command("door", #"{"command":"set_code","slot":1,"code":"123456","name":"x"}"#)) == "weak_code")
        let old = RFC3339.format(h.now.addingTimeInterval(-60))
        #expect(code(h.command("door", #"{"command":"unlock","issued_at":"\#(old)"}"#)) == "expired")
    }

    @Test func aCommandQueuedWhileTheBridgeWasAwayMustCarryIssuedAt() {
        var h = CoreHarness()
        h.report("door")
        let fence = h.handle(.connected).publications.first { $0.topic == "lockbridge/bridge/fence" }!
        // Before the fence returns: held, not answered.
        #expect(h.command("door", #"{"command":"unlock","request_id":"stale"}"#).isEmpty)
        #expect(h.command("door", #"{"command":"unlock","request_id":"fresh","issued_at":"\#(RFC3339.format(h.now))"}"#).isEmpty)
        let released = h.handle(.fence(token: fence.text))
        let results = released.json("lockbridge/door/result")
        #expect(results.first?["request_id"]?.stringValue == "stale" && results.first?["error"]?.objectValue?["code"]?.stringValue == "expired")
        #expect(released.publications.contains { $0.topic == "lockdev/door/cmd" && $0.text.contains("fresh") })
        // A stale token changes nothing.
        #expect(h.handle(.fence(token: "old")).isEmpty)
    }

    @Test func factoryResetMustConfirmTheLockID() {
        var h = ready()
        let out = h.command("door", #"{"command":"factory_reset","confirm":"other"}"#)
        #expect(code(out) == "invalid_field")
        #expect(out.json("lockbridge/door/result").last?["error"]?.objectValue?["field"]?.stringValue == "confirm")
    }

    @Test func anOfflineLockTakesNoCommand() {
        var h = ready()
        h.advance(4)
        h.handle(.tick)
        let out = h.command("door", #"{"command":"unlock"}"#)
        #expect(code(out) == "lock_offline")
        #expect(!out.publications.contains { $0.topic.hasSuffix("/cmd") })
    }

    @Test func oneCommandAtATimeQueuesUpToTheLimitThenBusy() {
        var h = ready()
        let first = h.command("door", #"{"command":"unlock","request_id":"c0"}"#)
        #expect(first.publications.filter { $0.topic == "lockdev/door/cmd" }.count == 1)
        for i in 1...SafetyRules.queueLimit { #expect(h.command("door", #"{"command":"lock","request_id":"c\#(i)"}"#).isEmpty) }
        #expect(code(h.command("door", #"{"command":"lock","request_id":"over"}"#)) == "busy")
        // The ack lets the next one go, in order.
        let next = h.deliverToLocks(first)
        #expect(h.deviceCommands(next, "door").map(\.requestID) == ["c1"])
    }

    @Test func anEnrolmentInProgressAnswersOthersBusy() {
        var h = ready()
        h.command("door", #"{"command":"enroll_fob","name":"Blue"}"#)
        #expect(code(h.command("door", #"{"command":"lock"}"#)) == "busy")
    }

    @Test func aProvisionalResultIsRememberedBeforeTheCommandLeaves() {
        var h = ready()
        let out = h.command("door", #"{"command":"unlock","request_id":"p1"}"#)
        guard case .remember(let provisional) = out.first(where: { if case .remember = $0 { true } else { false } }),
            let sendIndex = out.firstIndex(where: { if case .publish(let p) = $0 { p.topic == "lockdev/door/cmd" } else { false } }),
            let rememberIndex = out.firstIndex(where: { if case .remember = $0 { true } else { false } })
        else {
            Issue.record("no provisional result or no command")
            return
        }
        #expect(rememberIndex < sendIndex)
        #expect(!provisional.final && provisional.requestID == "p1")
        #expect(String(decoding: provisional.result, as: UTF8.self).contains("timeout"))
    }

    @Test func aRepeatedRequestIDGetsTheStoredResultMarkedDuplicateAndIsNeverSentTwice() {
        var h = ready()
        let ok = h.roundTrip("door", #"{"command":"unlock","request_id":"once"}"#)
        #expect(ok?["status"]?.stringValue == "ok")
        let again = h.command("door", #"{"command":"unlock","request_id":"once"}"#)
        #expect(again.json("lockbridge/door/result").last?["duplicate"]?.boolValue == true)
        #expect(!again.publications.contains { $0.topic.hasSuffix("/cmd") })
    }

    @Test func aRepeatWhileInFlightIsAnsweredOnceTheLockAnswers() {
        var h = ready()
        let first = h.command("door", #"{"command":"unlock","request_id":"twice"}"#)
        #expect(h.command("door", #"{"command":"unlock","request_id":"twice"}"#).isEmpty)
        let results = h.deliverToLocks(first).json("lockbridge/door/result")
        #expect(results.count == 2 && results.last?["duplicate"]?.boolValue == true)
    }

    @Test func resultsRememberedInAnEarlierRunAreDuplicatesToo() {
        let stored = RememberedResult(
            lock: LockID("door")!, requestID: "before", result: Array(#"{"request_id":"before","command":"unlock","status":"ok","error":null,"at":"x"}"#.utf8),
            at: Date(timeIntervalSince1970: 1_800_000_000), final: true)
        var h = CoreHarness(stored: StoredState(results: [stored]))
        h.connect()
        h.report("door")
        let again = h.command("door", #"{"command":"unlock","request_id":"before"}"#)
        #expect(again.json("lockbridge/door/result").last?["duplicate"]?.boolValue == true)
    }

    @Test func aCommandTheLockNeverAnswersTimesOutAndMarksItUnresponsive() {
        var h = ready()
        h.command("door", #"{"command":"unlock","request_id":"lost"}"#)
        h.advance(2.5)
        h.handle(.deviceHeartbeat(LockID("door")!))
        h.advance(2.6)
        let out = h.handle(.tick)
        #expect(code(out) == "timeout")
        #expect(out.remembered.last?.final == true)
        #expect(out.faultChanges == ["+unresponsive"])
        #expect(h.machineCounters.timeouts == 1)
    }

    @Test func mqtt5RepliesGoOnlyUnderTheReplyPrefix() {
        var h = ready()
        let inside = h.command("nobody", #"{"command":"lock"}"#, reply: "lockbridge/reply/me")
        #expect(inside.publications.contains { $0.topic == "lockbridge/reply/me" && $0.correlation == [1, 2] })
        h.advance(2)
        let outside = h.command("nobody", #"{"command":"lock"}"#, reply: "elsewhere/me")
        #expect(!outside.publications.contains { $0.topic == "elsewhere/me" })
    }

    @Test func aCommandForAnInvalidLockIDIsCountedAndNeverAnswered() {
        var h = ready()
        #expect(h.command("Bad Id", #"{"command":"lock"}"#).isEmpty)
        #expect(h.machineCounters.invalidLockIDs == 1)
    }
}
