import Foundation
import JSON
import LockAPI
import LockCore
import Testing

@testable import BridgeCore

/// The signed liveness probe of spec 3.1: a hung lock is noticed within `probe_interval` with no
/// user command, and its firmware's ways in say `unresponsive`.
@Suite struct LivenessProbeTests {
    static let interval: TimeInterval = 60

    func ready() -> CoreHarness {
        var h = CoreHarness { $0.probeInterval = Self.interval }
        h.connect()
        h.report("door")
        h.handle(.deviceHeartbeat(LockID("door")!))
        return h
    }

    /// Ticks once a second for `seconds`, with a heartbeat each time (the watchdog of a hung
    /// lock keeps them going); the probes go to the harness's lock, which answers unless hung.
    func run(_ h: inout CoreHarness, _ seconds: Int) -> [BridgeEffect] {
        var out: [BridgeEffect] = []
        for _ in 0..<seconds {
            h.advance(1)
            h.handle(.deviceHeartbeat(LockID("door")!))
            let tick = h.handle(.tick)
            out += tick + h.deliverToLocks(tick)
        }
        return out
    }

    func pings(_ h: CoreHarness, _ effects: [BridgeEffect]) -> [DeviceCommand] {
        h.deviceCommands(effects, "door").filter { $0.command == .ping }
    }

    func access(_ effects: [BridgeEffect]) -> JSONObject? {
        effects.json("lockbridge/door/state").last?["access"]?.objectValue
    }

    @Test func aWorkingLockIsProbedEveryIntervalQuietly() {
        var h = ready()
        let out = run(&h, Int(Self.interval) * 3)
        let sent = pings(h, out)
        #expect((2...3).contains(sent.count), "one probe per interval, the first within the first interval")
        #expect(sent.allSatisfy { $0.requestID.hasPrefix("probe-") })
        // Probes share the commands' replay counter: each is above the one before, and the next
        // command is above them all, so the lock never drops a command as a replay.
        #expect(zip(sent, sent.dropFirst()).allSatisfy { $0.counter < $1.counter })
        let next = h.deviceCommands(h.command("door", #"{"command":"lock"}"#), "door")
        #expect(next.count == 1 && next[0].counter > (sent.last?.counter ?? .max))
        // Answered probes publish nothing: no result, no fault, no state.
        #expect(out.json("lockbridge/door/result").isEmpty && out.faultChanges.isEmpty)
        #expect(out.publications.filter { $0.topic == "lockbridge/door/state" }.isEmpty)
        #expect(h.machineCounters.probes == sent.count && h.machineCounters.probeTimeouts == 0)
    }

    @Test func aHungLockIsUnresponsiveWithinTheIntervalWithoutAnyCommand() throws {
        var h = ready()
        #expect(h.roundTrip("door", #"{"command":"set_code","slot":1,"name":"Owner","code":"583920"}"#)?["status"]?.stringValue == "ok")
        h.act("door", .glitch(.hang))
        let out = run(&h, Int(Self.interval) + 6)
        #expect(out.faultChanges == ["+unresponsive"])
        let ways = try #require(access(out))
        // What the firmware served is unresponsive; what was unusable anyway keeps its reason.
        for way in ["remote", "keypad"] {
            #expect(ways[way]?.objectValue?["reason"]?.stringValue == "unresponsive", "\(way)")
        }
        for way in ["ble_phone", "fob"] {
            #expect(ways[way]?.objectValue?["reason"]?.stringValue == "no_credentials", "\(way)")
        }
        // Pointed to what still works: the key, the override, and restart.
        #expect(ways["mechanical_key"]?.objectValue?["usable"]?.boolValue == true)
        #expect(ways["override"]?.objectValue?["usable"]?.boolValue == true)
        let raised = try #require(out.events.first { $0.category == "fault" }.flatMap { try? JSON.parseObject($0.payload) })
        let detail = raised["detail"]?.objectValue
        #expect(detail?["command"]?.stringValue == "ping" && detail?["try"]?.stringValue == "restart")
        #expect(detail?["still_working"]?.arrayValue?.compactMap(\.stringValue) == ["mechanical_key", "override"])
        #expect(h.machineCounters.probeTimeouts == 1)

        // `restart` reaches a hung lock; its `restarted` clears the fault and the ways come back.
        let restart = h.roundTrip("door", #"{"command":"restart"}"#)
        #expect(restart?["status"]?.stringValue == "ok")
        let after = run(&h, 2)
        #expect(h.effects.faultChanges.contains("-unresponsive") || after.faultChanges.contains("-unresponsive"))
        #expect(h.effects.json("lockbridge/door/state").last?["access"]?.objectValue?["keypad"]?.objectValue?["usable"]?.boolValue == true)
    }

    @Test func aCommandTimeoutSendsAProbeAtOnce() {
        var h = ready()
        h.act("door", .glitch(.hang))
        let sent = h.command("door", #"{"command":"lock"}"#)
        #expect(!sent.publications.filter { $0.topic == "lockdev/door/cmd" }.isEmpty)
        // The command's timeout (5 s in the harness), then a probe on the very next tick.
        let out = run(&h, 7)
        #expect(out.json("lockbridge/door/result").last?["error"]?.objectValue?["code"]?.stringValue == "timeout")
        #expect(pings(h, out).count == 1, "a probe right after the timeout, not a whole interval later")
    }

    @Test func firstProbesAreSpreadOverTheInterval() {
        let fractions = (1...200).map { BridgeMachine.spread(LockID("lock-\($0)")!) }
        #expect(fractions.allSatisfy { (0..<1).contains($0) })
        // Roughly even: each quarter of the interval gets a fair share of 200 locks.
        for quarter in 0..<4 {
            let share = fractions.filter { Int($0 * 4) == quarter }.count
            #expect((25...75).contains(share), "quarter \(quarter): \(share)")
        }
        #expect(BridgeMachine.spread(LockID("front-door")!) == BridgeMachine.spread(LockID("front-door")!))
    }
}
