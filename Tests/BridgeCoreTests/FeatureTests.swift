@testable import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Each feature (availability, battery alerts and forecast, faults, code rotation, lockout risk,
/// discovery, credentials, removal), driven through the core alone.
@Suite struct FeatureTests {
    @Test func batteryLevelsWithHysteresisAlertsAndFaults() {
        var h = CoreHarness()
        h.report("door")
        let low = h.act("door", .setBattery(percent: 19))
        #expect(low.faultChanges == ["+battery_low"])
        #expect(low.json("lockbridge/door/alert/battery").last?["level"]?.stringValue == "low")
        // Back to 22 %: still low (clears at 25 %).
        #expect(h.act("door", .setBattery(percent: 22)).faultChanges.isEmpty)
        let critical = h.act("door", .setBattery(percent: 9))
        #expect(critical.faultChanges == ["-battery_low", "+battery_critical"])
        let ok = h.act("door", .setBattery(percent: 30))
        #expect(ok.faultChanges == ["-battery_critical"])
        #expect(ok.json("lockbridge/door/alert/battery").last?["level"]?.stringValue == "ok")
    }

    @Test func theDrainForecastNeedsAnHourOfFallingSamplesAndResetsOnNewBatteries() {
        var h = CoreHarness()
        h.report("door") { $0 = Lock(salt: Array(repeating: 1, count: 16), battery: Battery(percent: 80)) }
        for percent in [79.0, 78, 77] {
            h.advance(1200)
            h.act("door", .setBattery(percent: percent))
        }
        let daysLeft = h.effects.json("lockbridge/door/state").last?["battery"]?.objectValue?["days_left"]?.doubleValue
        // 3 points an hour from 77 %: 25.7 hours.
        #expect(daysLeft == 1.1)
        let replaced = h.act("door", .replaceBattery)
        #expect(replaced.json("lockbridge/door/state").last?["battery"]?.objectValue?["days_left"]?.isNull == true)
    }

    @Test func daysLeftSurvivesABridgeRestart() {
        var h = CoreHarness()
        h.report("door") { $0 = Lock(salt: Array(repeating: 1, count: 16), battery: Battery(percent: 80)) }
        for percent in [79.0, 78, 77] {
            h.advance(1200)
            h.act("door", .setBattery(percent: percent))
        }
        guard case .save(let saved) = h.handle(.save(all: true)).first else {
            Issue.record("no save effect")
            return
        }
        let stored = StoredState(locks: Dictionary(uniqueKeysWithValues: saved.map { ($0.lock.rawValue, $0.state) }))
        var restarted = CoreHarness(stored: stored)
        let announce = restarted.handle(.connected)
        // Spec 3.1: battery.days_left survives a bridge restart, before the lock reports again.
        #expect(announce.json("lockbridge/door/state").last?["battery"]?.objectValue?["days_left"]?.doubleValue == 1.1)
        // And the fit goes on from the saved samples: one more reading 20 minutes later still forecasts.
        restarted.locks["door"] = h.locks["door"]
        restarted.now = h.now.addingTimeInterval(1200)
        let next = restarted.act("door", .setBattery(percent: 76))
        #expect(next.json("lockbridge/door/state").last?["battery"]?.objectValue?["days_left"]?.doubleValue != nil)
    }

    @Test func lockoutRiskWhenFewerThanTwoWaysWork() {
        var h = CoreHarness { $0.offlineAfter = 3 }
        // Keyless, no codes: remote and nothing else.
        let keyless = h.report("door") { $0 = Lock(salt: Array(repeating: 1, count: 16), hasher: CodeHasher(iterations: 2), credentials: Credentials(mechanicalKeyFitted: false, overrideKeyFitted: false)) }
        #expect(keyless.faultChanges.contains("+lockout_risk"))
        // A normal lock has the key and the override key as well.
        var other = CoreHarness()
        #expect(!other.report("door").faultChanges.contains("+lockout_risk"))
    }

    @Test func codeRotationRaisesOneFaultPerSlotAndClearsOnReplace() {
        var h = CoreHarness { $0.codeRotationDays = 1 }
        h.connect()
        h.report("door")
        #expect(h.roundTrip("door", #"{"command":"set_code","slot":2,"code":"802514","name":"Walker"}"#)?["status"]?.stringValue == "ok")
        h.advance(86_401)
        h.handle(.deviceHeartbeat(LockID("door")!))
        let due = h.handle(.tick)
        #expect(due.events.compactMap { try? JSON.parseObject($0.payload) }.map { $0["detail"]?.objectValue?["slot"]?.intValue } == [2])
        #expect(due.json("lockbridge/door/state").last?["faults"]?.arrayValue?.contains(.string("code_rotation_due")) == true)
        let cleared = h.roundTrip("door", #"{"command":"clear_code","slot":2}"#)
        #expect(cleared?["status"]?.stringValue == "ok")
        #expect(h.effects.faultChanges.suffix(1) == ["-code_rotation_due"])
    }

    @Test func theOverrideRaisesOverrideUsedOnceUntilAcknowledged() {
        var h = CoreHarness()
        h.connect()
        h.report("door")
        #expect(h.act("door", .overrideKey).faultChanges == ["+override_used"])
        h.act("door", .key(.lock))
        #expect(h.act("door", .overrideKey).faultChanges.isEmpty)
        let ack = h.command("door", #"{"command":"ack_fault","fault":"override_used"}"#)
        #expect(ack.faultChanges == ["-override_used"])
        #expect(ack.json("lockbridge/door/result").last?["status"]?.stringValue == "ok")
    }

    @Test func overrideUsedClearsItselfAfterADay() {
        var h = CoreHarness { $0.offlineAfter = 1_000_000 }
        h.report("door")
        h.act("door", .overrideKey)
        h.advance(24 * 3600)
        #expect(h.handle(.tick).faultChanges == ["-override_used"])
    }

    @Test func unresponsiveClearsWhenTheLockRestarts() {
        var h = CoreHarness()
        h.connect()
        h.report("door")
        h.command("door", #"{"command":"lock"}"#)
        h.advance(4)
        h.handle(.deviceHeartbeat(LockID("door")!))
        h.advance(1.1)
        #expect(h.handle(.tick).faultChanges == ["+unresponsive"])
        h.handle(.deviceHeartbeat(LockID("door")!))
        let restarted = h.roundTrip("door", #"{"command":"restart"}"#)
        #expect(restarted?["status"]?.stringValue == "ok")
        #expect(h.effects.faultChanges.contains("-unresponsive"))
    }

    @Test func credentialsAreRepublishedWhenTheyChangeWithRotateBy() {
        var h = CoreHarness()
        h.connect()
        h.report("door")
        #expect(h.report("door").json("lockbridge/door/credentials").isEmpty)
        h.roundTrip("door", #"{"command":"set_code","slot":3,"code":"802514","name":"Cleaner"}"#)
        let codes = h.effects.json("lockbridge/door/credentials").last?["codes"]?.arrayValue
        #expect(codes?.first?.objectValue?["name"]?.stringValue == "Cleaner")
        #expect(codes?.first?.objectValue?["rotate_by"]?.stringValue != nil)
        #expect(!h.effects.publications.contains { $0.text.contains("802514") })
    }

    @Test func aRemovedLockIsClearedAndComesBackOnlyWhenItReportsLive() {
        var h = CoreHarness()
        h.report("gone")
        h.advance(4)
        h.handle(.tick)
        let removed = h.handle(.request(RequestMessage(name: "remove", payload: Array(#"{"lock":"gone"}"#.utf8))))
        #expect(removed.contains { if case .forget(let id) = $0 { id.rawValue == "gone" } else { false } })
        #expect(removed.publications.filter { $0.topic.hasPrefix("lockbridge/gone/") }.allSatisfy { $0.payload.isEmpty && $0.retain })
        #expect(h.report("gone", retained: true).isEmpty)
        let back = h.report("gone")
        #expect(back.contains { if case .readmit(let id) = $0 { id.rawValue == "gone" } else { false } })
    }

    @Test func anOnlineLockCannotBeRemoved() {
        var h = CoreHarness()
        h.report("here")
        let out = h.handle(.request(RequestMessage(name: "remove", payload: Array(#"{"lock":"here"}"#.utf8))))
        #expect(out.json("lockbridge/bridge/response/remove").last?["error"]?.objectValue?["code"]?.stringValue == "lock_online")
    }

    @Test func aLockTheAllowListDropsIsRemovedAtTheFirstConnect() {
        let saved = StoredState(sequences: ["old": (epoch: 1, seq: 5), "kept": (epoch: 1, seq: 2)])
        var h = CoreHarness({ $0.allowList = ["kept"] }, stored: saved)
        let out = h.handle(.connected)
        #expect(out.contains { if case .forget(let id) = $0 { id.rawValue == "old" } else { false } })
        #expect(!out.contains { if case .forget(let id) = $0 { id.rawValue == "kept" } else { false } })
    }
}
