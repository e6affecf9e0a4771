import Foundation
import Logging
import JSON
import LockAPI
import LockCore

/// What the bridge knows about one lock: the last device snapshot plus its own derived facts.
struct LockRecord {
    let id: LockID
    /// The newest device snapshot (docs/device-link.md) as the lock sent it, nil until the lock
    /// first reports. Kept as bytes: a parsed tree costs about six times as much, which at 10,000
    /// locks was most of the bridge's memory.
    private(set) var snapshotBytes: [UInt8]?
    /// The parsed snapshot while one message is being handled; dropped before the record is stored.
    private var parsed: JSONObject?
    /// What hot paths (heartbeats, availability) read, taken when the snapshot is stored.
    private(set) var wifiUp = true
    /// Tells a credentials change without keeping the credentials.
    private(set) var credentialsHash: Int?
    var online = false
    var lastSeen: Date?
    var lastHeartbeat: Date?
    var emulator: String?
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
    /// Slots whose code is due for rotation.
    var rotationDue: Set<Int> = []
    var pending: PendingCommand?
    /// What the published discovery configs depend on, to republish them when it changes.
    var discoveryKey: String?
    /// Commands waiting for the one in flight (one at a time per lock).
    var queue: [QueuedCommand] = []
    var updatedAt = Date()

    init(id: LockID) { self.id = id }

    /// The newest device snapshot, parsed on demand.
    var snapshot: JSONObject? {
        get { parsed ?? snapshotBytes.flatMap { try? JSON.parseObject($0, limits: Self.snapshotLimits) } }
        set {
            store(newValue, bytes: nil)
            parsed = nil
        }
    }

    static let snapshotLimits = JSONLimits(maxBytes: 1 << 20, maxDepth: 16)

    /// Stores a snapshot; `bytes` is its JSON when the caller has it already.
    mutating func store(_ object: JSONObject?, bytes: [UInt8]?) {
        guard let object else {
            (snapshotBytes, parsed, wifiUp, credentialsHash) = (nil, nil, true, nil)
            return
        }
        snapshotBytes = bytes ?? (try? object.serializedBytes())
        parsed = object
        wifiUp = object["radio"]?.objectValue?["wifi"]?.boolValue ?? true
        credentialsHash = object["credentials"]?.hashValue
    }

    /// This record without the parsed snapshot, as the registry keeps it.
    var compacted: LockRecord {
        var copy = self
        copy.parsed = nil
        return copy
    }

    /// The lock's salt and PBKDF2 rounds, from its snapshot, to hash codes as it does.
    var hasher: (salt: [UInt8], hasher: CodeHasher)? {
        guard let snapshot, let saltText = snapshot["salt"]?.stringValue, let salt = Hex.decode(saltText),
            let rounds = snapshot["kdf_iterations"]?.intValue
        else { return nil }
        return (salt, CodeHasher(iterations: Int(rounds)))
    }

    /// Faults active right now, given the parsed snapshot: the lock's and the bridge's, sorted by name.
    func activeFaults(_ snapshot: JSONObject?) -> [String] {
        var all = Set(snapshot?["faults"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        for fault in bridgeFaults.keys { all.insert(fault.rawValue) }
        if !rotationDue.isEmpty { all.insert(FaultCode.codeRotationDue.rawValue) }
        return all.sorted()
    }
}

/// A command sent to a lock and not answered yet.
struct PendingCommand {
    var requestID: String
    var command: String
    var deadline: Date
    var reply: ReplyRoute?
    /// The same request id sent again while this one was under way: each gets the result, marked duplicate.
    var repeats: [ReplyRoute?] = []
}

/// A device event held until the events before it arrive.
struct DeviceEvent {
    var category: String
    var payload: JSONObject
}

/// A validated command waiting its turn.
struct QueuedCommand {
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
