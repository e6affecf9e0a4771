public import Foundation
public import JSON
public import LockAPI

/// What the core asks the executor to do, in order. Everything durable in one batch of effects
/// is written in one SQLite transaction before anything of that batch is published.
public enum BridgeEffect: Sendable {
    /// Publish on the public API or the device link.
    case publish(Publication)
    /// An audited event: written to the audit log and outbox first, then published at QoS 1.
    case event(AuditedEvent)
    /// Remember a command's result under its request id. A provisional one (`final == false`) is
    /// written before the command goes to the lock and never overwrites; the final one does.
    case remember(RememberedResult)
    /// A removed lock reported live again: drop its removal.
    case readmit(LockID)
    /// Forget a lock: its saved state and sequence, and remember it as removed.
    case forget(LockID)
    /// Save what the bridge knows of these locks, for the next start.
    case save([SavedLock])
    /// Prune audit records and remembered request ids older than the retention.
    case prune(now: Date)
    /// Answer `health`: the core's part is here; the executor adds the store's and the broker's.
    case answerHealth(HealthAnswer)
    /// Answer `history` from the audit log.
    case answerHistory(HistoryQuery)
    /// Store what changed about access plans (with the events and provisional results, before
    /// anything of the batch is published).
    case plans([PlanStoreChange])
    /// Several bridges: take the shard again with an epoch above `above` (a lock holds a newer one).
    case retakeShard(Int, above: UInt64)
    /// Several bridges: read the shards' request memory and bridge seqs from the store (answered
    /// with ``BridgeInput/shardData(_:)``), and publish their undelivered outbox records.
    case loadShards(Set<Int>)
    /// Several bridges: read back what the others changed in the store, the plans and the removed
    /// locks (answered with ``BridgeInput/sharedRead(_:)``).
    case readShared(resultsSince: Date?)
    /// Publish these a chunk at a time, beside the normal flow (discovery configs, and everything
    /// again after Home Assistant restarted).
    case publishPaced([PacedPublication])
}

/// One entry of a paced list: a message, or a lock's discovery configs, made when their turn
/// comes (each lock's device config, or its 15 entity configs: made all at once for 10,000 locks,
/// they would take about 100 MB).
public enum PacedPublication: Sendable {
    case message(Publication)
    case discovery(DiscoveryItem)

    public var publications: [Publication] {
        switch self {
        case .message(let publication): [publication]
        case .discovery(let item): item.publications()
        }
    }
}

/// A lock's Home Assistant discovery configs, by what they depend on.
public struct DiscoveryItem: Sendable {
    let discovery: Discovery
    let lock: LockID
    let firmware: String?
    let codeRequired: Bool

    public func publications() -> [Publication] { discovery.publications(lock, firmware: firmware, codeRequired: codeRequired) }
}

/// One message to publish.
public struct Publication: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var retain: Bool
    /// MQTT 5 correlation data, on a direct reply.
    public var correlation: [UInt8]?
    /// The device-link MAC, sent as the `mac` user property.
    public var signature: String?

    public init(topic: String, payload: [UInt8], retain: Bool = false, correlation: [UInt8]? = nil, signature: String? = nil) {
        self.topic = topic
        self.payload = payload
        self.retain = retain
        self.correlation = correlation
        self.signature = signature
    }

    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// An event that goes to the audit log before it is published.
public struct AuditedEvent: Sendable, Equatable {
    public var lock: LockID
    public var category: String
    public var topic: String
    public var payload: [UInt8]
    /// The lock's epoch and seq; nil for events the bridge raises itself.
    public var epoch: Int64?
    public var seq: Int64?
    public var at: Date
    /// For events the bridge raises itself: their seq in the bridge's epoch (spec 3.3).
    public var bridgeSeq: Int64? = nil
}

public struct RememberedResult: Sendable, Equatable {
    public var lock: LockID
    public var requestID: String
    public var result: [UInt8]
    public var at: Date
    public var final: Bool

    public init(lock: LockID, requestID: String, result: [UInt8], at: Date, final: Bool) {
        (self.lock, self.requestID, self.result, self.at, self.final) = (lock, requestID, result, at, final)
    }
}

/// A lock's saved state (JSON), as ``BridgeMachine/restore(_:now:)`` reads it back.
public struct SavedLock: Sendable, Equatable {
    public var lock: LockID
    public var state: [UInt8]
}

/// Where a request's answer goes: always `bridge/response/<name>`, and the MQTT 5 reply topic when one was given.
public struct ResponseRoute: Sendable, Equatable {
    public var name: String
    public var transaction: JSONValue
    public var replyTopic: String?
    public var correlation: [UInt8]?
}

public struct HealthAnswer: Sendable {
    public var route: ResponseRoute
    public var counters: BridgeCounters
    public var knownLocks: Int
    public var onlineLocks: Int
    public var commandsInFlight: Int
    public var startedAt: Date
}

public struct HistoryQuery: Sendable {
    public var route: ResponseRoute
    public var lock: String
    public var since: Date?
    public var limit: Int
}

/// Counts the `health` request reports.
public struct BridgeCounters: Sendable, Equatable {
    public var commands = 0
    public var rejectedCommands = 0
    public var invalidLockIDs = 0
    public var badDeviceMessages = 0
    public var duplicateEvents = 0
    public var sequenceGaps = 0
    public var timeouts = 0
    /// Liveness probes sent, and those the lock never answered.
    public var probes = 0
    public var probeTimeouts = 0

    public init() {}
}
