import Foundation
import Logging
import JSON
import LockAPI
import LockCore

/// The facts the bridge derives itself: availability, battery levels, and the faults that only
/// the bridge can see (spec 3.3: lock_offline, battery_*, unresponsive, override_used,
/// lockout_risk, code_rotation_due).
extension BridgeCore {
    mutating func setOnline(_ record: inout LockRecord, _ online: Bool, firstReport: Bool = false, now: Date, into out: inout [BridgeOutput]) {
        guard record.online != online || firstReport else { return }
        record.online = online
        out.append(availabilityMessage(record))
        let wifiDown = record.snapshot != nil && !record.wifiUp
        if online {
            clearFault(&record, .lockOffline, now: now, into: &out)
        } else if !wifiDown {
            // Wi-Fi down is reported by the lock as its own fault; offline for other reasons is ours.
            raiseFault(&record, .lockOffline, detail: [:], now: now, into: &out)
        }
        // Remote use comes and goes with the link, so the count of usable ways in does too.
        if record.snapshot != nil { updateLockoutRisk(&record, now: now, into: &out) }
    }

    mutating func raiseFault(_ record: inout LockRecord, _ fault: FaultCode, detail: JSONObject, now: Date, into out: inout [BridgeOutput]) {
        guard record.bridgeFaults[fault] == nil else { return }
        record.bridgeFaults[fault] = now
        out.append(faultEvent(record, fault, raised: true, detail: detail, now: now))
    }

    mutating func clearFault(_ record: inout LockRecord, _ fault: FaultCode, now: Date, into out: inout [BridgeOutput]) {
        guard record.bridgeFaults.removeValue(forKey: fault) != nil else { return }
        out.append(faultEvent(record, fault, raised: false, detail: [:], now: now))
    }

    /// A fault event the bridge itself raises: it has no device `seq` (null), and says so.
    private func faultEvent(_ record: LockRecord, _ fault: FaultCode, raised: Bool, detail: JSONObject, now: Date) -> BridgeOutput {
        let payload: JSONObject = [
            "event_type": .string(raised ? "fault_raised" : "fault_cleared"), "fault": .string(fault.rawValue),
            "severity": .string(fault.severity.rawValue), "detail": .object(detail), "source": "bridge",
            "seq": .null, "at": .string(RFC3339.format(now)),
        ]
        return .event(
            lock: record.id, category: "fault", topic: publicTopics.lock(record.id, .faultEvent),
            payload: Self.bytes(payload), epoch: nil, seq: nil)
    }

    /// Battery level with hysteresis, its alert and faults, and the drain forecast.
    mutating func updateBattery(_ record: inout LockRecord, _ snapshot: DeviceSnapshot, now: Date, into out: inout [BridgeOutput]) {
        let (percent, backup) = (snapshot.battery.percent, snapshot.battery.backupPower)
        let lockTime = snapshot.lockTime ?? now
        if record.batteryLevelSince == nil { record.batteryLevelSince = now }
        record.forecast.record(percent: percent, backupPower: backup, at: lockTime)
        let thresholds = BatteryLevel.Thresholds(
            low: configuration.batteryLow, critical: configuration.batteryCritical, depleted: configuration.batteryDepleted)
        let level = BatteryLevel.next(current: record.batteryLevel, percent: percent, thresholds: thresholds)
        guard level != record.batteryLevel else { return }
        let faults: [BatteryLevel: FaultCode] = [.low: .batteryLow, .critical: .batteryCritical, .depleted: .batteryDepleted]
        if let old = faults[record.batteryLevel] { clearFault(&record, old, now: now, into: &out) }
        if let new = faults[level] {
            raiseFault(&record, new, detail: ["percent": .int(Int64(percent.rounded(.up)))], now: now, into: &out)
        }
        record.batteryLevel = level
        record.batteryLevelSince = now
        out.append(batteryAlertMessage(record, now: now))
    }

    /// `lockout_risk` while fewer than two ways in are usable.
    mutating func updateLockoutRisk(_ record: inout LockRecord, now: Date, into out: inout [BridgeOutput]) {
        let usable = record.access.usableCount
        if usable < 2 {
            raiseFault(&record, .lockoutRisk, detail: ["usable_ways": .int(Int64(usable))], now: now, into: &out)
        } else {
            clearFault(&record, .lockoutRisk, now: now, into: &out)
        }
    }

    /// What an event tells the bridge beyond itself.
    mutating func reactToEvent(_ record: inout LockRecord, _ event: JSONObject, category: String, now: Date, into out: inout [BridgeOutput]) {
        let type = event["event_type"]?.stringValue
        let method = event["method"]?.stringValue
        if category == "access", type == "unlock" || type == "open", method == "override_key" || method == "override_code" {
            if record.bridgeFaults[.overrideUsed] != nil {
                record.bridgeFaults[.overrideUsed] = now  // used again: the 24 h start over, still one raise
            } else {
                raiseFault(&record, .overrideUsed, detail: ["method": .string(method ?? "")], now: now, into: &out)
            }
        }
        if category == "system", type == "restarted" {
            clearFault(&record, .unresponsive, now: now, into: &out)
        }
        if category == "system", type == "battery_replaced" {
            record.forecast.reset()  // the drain of the old batteries says nothing about the new ones
        }
    }

    /// A command the lock never answered.
    mutating func timeOut(_ record: inout LockRecord, _ pending: PendingCommand, now: Date) -> [BridgeOutput] {
        record.pending = nil
        counters.timeouts += 1
        var out = result(
            record.id, pending.requestID, pending.command, LockError(.timeout, "the lock did not answer in time"), reply: pending.reply,
            repeats: pending.repeats, now: now)
        // Heartbeats still coming while commands go unanswered: the firmware hangs.
        if record.online, let beat = record.lastHeartbeat, now.timeIntervalSince(beat) < configuration.offlineAfter {
            raiseFault(&record, .unresponsive, detail: ["command": .string(pending.command)], now: now, into: &out)
        }
        return out + dispatchNext(&record, now: now)
    }
}
