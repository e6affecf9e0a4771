import Foundation
import JSON
import LockAPI
import LockCore

/// What the bridge knows about one lock: its last device snapshot, typed, plus the bridge's own
/// derived facts. No JSON tree and no payload bytes: at 10,000 locks this is most of the heap.
struct LockRecord: Sendable {
    let id: LockID
    /// The newest device snapshot (docs/device-link.md), nil until the lock first reports.
    var snapshot: DeviceSnapshot?
    var online = false
    var lastSeen: Date?
    var lastHeartbeat: Date?
    /// The last device event seen, to spot gaps and duplicates.
    var epoch: Int64 = 0
    var seq: Int64 = 0
    /// When the bridge last asked this lock to resend missed events.
    var resendRequested: Date?
    /// Events that arrived ahead of a gap, by seq, published once the gap fills.
    var early: [Int64: DeviceEvent] = [:]
    /// The highest seq the lock is known to have (from events or its snapshot).
    var knownSeq: Int64 = 0
    /// Since when the bridge has been behind `knownSeq`.
    var behindSince: Date?
    var batteryLevel: BatteryLevel = .ok
    var batteryLevelSince: Date?
    var forecast = DrainForecast()
    /// Faults the bridge raises itself (the lock's own are in the snapshot).
    var bridgeFaults: [FaultCode: Date] = [:]
    /// The seq of the last event the bridge raised for this lock, in the bridge's epoch.
    var bridgeSeq: Int64 = 0
    /// Slots whose code is due for rotation.
    var rotationDue: Set<Int> = []
    var pending: PendingCommand?
    /// Several bridges: the command in flight when the lock's shard went to another bridge. The
    /// lock's answer still becomes its final result in the shared request memory, where the new
    /// owner finds it for a retry; nothing is raised when no answer comes.
    var handedOver: PendingCommand?
    /// The liveness probe in flight, and when the next one is due (nil: not scheduled yet).
    var probe: (requestID: String, deadline: Date)?
    var nextProbe: Date?
    /// When the bridge last told the lock the time, after it reported a lost clock.
    var clockSentAt: Date?
    /// What the published discovery configs depend on, to republish them when it changes.
    var discoveryKey: String?
    /// Several bridges (spec 8): the owner epoch the lock acknowledged, and the claim in flight.
    var claimedEpoch: UInt64?
    var claim: (requestID: String, deadline: Date)?
    /// Commands waiting for the one in flight (one at a time per lock).
    var queue: [QueuedCommand] = []
    var updatedAt: Date

    init(id: LockID, now: Date) {
        self.id = id
        updatedAt = now
    }

    /// The emulator process the lock lives in, as its snapshot names it.
    var emulator: String? { snapshot?.emulator }
    /// Wi-Fi as the lock last reported it; up until it reports.
    var wifiUp: Bool { snapshot?.radio.wifi ?? true }

    /// Faults active right now: the lock's and the bridge's, sorted by name.
    var activeFaults: [String] {
        var all = Set(snapshot?.faults.map(\.rawValue) ?? [])
        for fault in bridgeFaults.keys { all.insert(fault.rawValue) }
        if !rotationDue.isEmpty { all.insert(FaultCode.codeRotationDue.rawValue) }
        return all.sorted()
    }

    /// The six ways in as the lock reports them, with remote use blocked while it is offline and
    /// the firmware's ways blocked while it does not answer.
    var access: WaysIn {
        guard let snapshot else { return WaysIn(allBlocked: .lockOffline) }
        var ways = snapshot.access
        if bridgeFaults[.unresponsive] != nil {
            // The firmware hangs: what it last said was usable does not answer now. The key and
            // a key-type override need no firmware (spec 3.1).
            for way in [AccessWay.remote, .keypad, .blePhone, .fob] where ways[way].usable { ways[way] = .blocked(.unresponsive) }
        }
        if !online { ways.remote = .blocked(snapshot.radio.wifi ? .lockOffline : .wifiDown) }
        return ways
    }
}

/// A command sent to a lock and not answered yet.
struct PendingCommand: Sendable {
    var requestID: String
    var command: String
    var deadline: Date
    var reply: ReplyRoute?
    /// The same request id sent again while this one was under way: each gets the result, marked duplicate.
    var repeats: [ReplyRoute?] = []
    /// The access plan whose write this is: its answer goes to the plan, not to `result`.
    var plan: String? = nil
}

/// A device event held until the events before it arrive.
struct DeviceEvent: Sendable {
    var category: String
    var payload: JSONObject
}

/// A validated command waiting its turn.
struct QueuedCommand: Sendable {
    var request: CommandRequest
    var requestID: String
    var reply: ReplyRoute?
    var repeats: [ReplyRoute?] = []
}

/// Where an MQTT 5 request wants its answer (only ever under `<base>/reply/`).
struct ReplyRoute: Sendable {
    var topic: String
    var correlation: [UInt8]?
}
