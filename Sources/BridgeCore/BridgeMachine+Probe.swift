import Foundation
import LockAPI
import LockCore

/// The signed liveness probe (spec 3.1): a `ping` on the device link that a working firmware
/// acknowledges at once and a hung one never does, so the bridge notices a hang within
/// `probe_interval` without waiting for a user's command to time out.
extension BridgeMachine {
    /// On every tick, per lock: a probe that got no answer in `command_timeout_s` raises
    /// `unresponsive`; an online lock with nothing in flight gets its next probe when it is due
    /// (returned, for the caller to publish).
    mutating func probe(_ context: inout LockContext) -> Publication? {
        let now = context.now
        if let probe = context.record.probe {
            guard now >= probe.deadline else { return nil }
            context.record.probe = nil
            context.record.nextProbe = now.addingTimeInterval(configuration.probeInterval)
            counters.probeTimeouts += 1
            Unresponsive.timedOut(&context, command: LockCommand.ping.name)
            return nil
        }
        guard context.record.online, context.record.pending == nil, context.record.snapshot != nil, claimed(context.record) else { return nil }
        guard let due = context.record.nextProbe else {
            // The first probe of each lock falls somewhere in the first interval, the same place
            // for the same lock id, so 10,000 locks are not all probed in the same second.
            context.record.nextProbe = now.addingTimeInterval(configuration.probeInterval * Self.spread(context.record.id))
            return nil
        }
        guard now >= due else { return nil }
        let requestID = "probe-\(nextCounter(now))"
        let device = DeviceCommand(requestID: requestID, counter: commandCounter, command: .ping, code: nil, ownerEpoch: ownerEpoch(context.record.id))
        guard let payload = try? device.payload() else { return nil }
        context.record.probe = (requestID, now.addingTimeInterval(configuration.commandTimeout))
        counters.probes += 1
        return signed(context.record.id, .cmd, payload)
    }

    /// The lock's ack of the probe in flight; true when `requestID` was that probe.
    mutating func probeAnswered(_ record: inout LockRecord, requestID: String, now: Date) -> Bool {
        guard record.probe?.requestID == requestID else { return false }
        record.probe = nil
        record.nextProbe = now.addingTimeInterval(configuration.probeInterval)
        return true
    }

    /// A fraction in [0, 1) fixed by the lock id (FNV-1a), to spread the first probes.
    static func spread(_ id: LockID) -> Double {
        Double(Shards.fnv1a(id) % 10_000) / 10_000
    }

    /// A lock that lost its clock with its power refuses scheduled and dated credentials until
    /// the clock is set (spec 7.1): the bridge sends it the time, signed, once it reports so,
    /// again every 10 s while it still does. The ack changes nothing else.
    mutating func setClockIfLost(_ context: inout LockContext) -> Publication? {
        let now = context.now
        guard context.record.online, let snapshot = context.record.snapshot, !snapshot.clockSet, snapshot.battery.powered, claimed(context.record) else { return nil }
        if let sent = context.record.clockSentAt, now.timeIntervalSince(sent) < 10 { return nil }
        let device = DeviceCommand(
            requestID: "clock-\(nextCounter(now))", counter: commandCounter, command: .setClock(at: now), code: nil, ownerEpoch: ownerEpoch(context.record.id))
        guard let payload = try? device.payload() else { return nil }
        context.record.clockSentAt = now
        return signed(context.record.id, .cmd, payload)
    }
}
