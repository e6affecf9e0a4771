public import Foundation
import JSON
public import LockAPI
import LockCore
public import Logging

/// The bridge's state and rules: ``handle(_:now:)`` takes one input and returns the effects to
/// carry out, in order. It performs none of them, never reads a clock (`now` is passed in) and
/// makes ids only through the injected `newID`, so tests drive it without a broker.
///
/// One task owns it (the executor in the Bridge module); nothing else reads or changes it.
public struct BridgeMachine: Sendable {
    let settings: CoreSettings
    let logger: Logger
    /// Makes request ids and fence tokens (a UUID in production, a counter in tests).
    let newID: @Sendable () -> String
    let startedAt: Date
    var locks: [LockID: LockRecord] = [:]
    var counters = BridgeCounters()
    /// The replay counter for signed device commands: time-based, so it grows across restarts.
    var commandCounter: UInt64
    /// When each unknown lock id last got a `not_found`, to rate-limit them.
    var notFoundAnswered: [LockID: Date] = [:]
    /// When code ages are next checked.
    var nextRotationCheck = Date.distantPast
    /// Emulator processes whose status is `offline` (their Last Will).
    var emulatorsOffline: Set<String> = []
    /// Locks changed since they were last saved.
    var dirty: Set<LockID> = []
    /// Locks removed on request: only a live report brings one back, never its retained snapshot.
    var removed: Set<LockID> = []
    /// Results by request id, for duplicates (loaded at start, kept for the retention period).
    var results: RequestMemory
    /// Commands that arrive before this connection's fence returns came from the session queue.
    var fence = Fence()
    /// The set of locks changed: `bridge/info` is due at the next tick.
    var infoDue = false
    /// Bridge-event seqs of locks that have no record (removed, or not heard from since the
    /// start): a record made for one of them goes on from here.
    var bridgeSeqFloor: [LockID: Int64] = [:]
    /// Discovery configs of the other layout that an earlier run left, found while this
    /// connection's fence was out; migrated when it returns.
    var leftovers = DiscoveryLeftovers()
    /// Access plans by name, and the reconciling state (spec 7.2, ``PlanBook``).
    var planBook = PlanBook()
    /// Several bridges (spec 8); nil for a bridge on its own.
    var cluster: ClusterState?

    /// - Parameters:
    ///   - stored: what the store kept from the last run.
    ///   - newID: a fresh unique id for each call.
    public init(
        configuration: BridgeConfiguration, signer: DeviceSigner, logger: Logger, stored: StoredState, now: Date,
        newID: @escaping @Sendable () -> String
    ) {
        settings = CoreSettings(configuration: configuration, signer: signer, bridgeEpoch: stored.bridgeEpoch)
        self.logger = logger
        self.newID = newID
        startedAt = now
        commandCounter = UInt64(max(0, now.timeIntervalSince1970) * 1_000_000)
        results = RequestMemory(stored.results)
        removed = Set(stored.removed.compactMap(LockID.init))
        restore(stored, now: now)
        planBook.restore(stored.plans, requests: stored.planRequests, now: now)
        if let settings = configuration.cluster { cluster = ClusterState(instance: settings.instance, takeover: settings.takeoverSeconds) }
    }

    public static let version = Release.version

    var configuration: BridgeConfiguration { settings.configuration }
    var publicTopics: PublicTopics { settings.publicTopics }

    /// Saved locks the allow-list no longer accepts: removed at the first connect.
    public var outsideAllowList: [LockID] = []

    /// The one entry point.
    public mutating func handle(_ input: BridgeInput, now: Date) -> [BridgeEffect] {
        switch input {
        // Every bridge follows every lock; only the owner of its shard speaks for it (spec 8). The
        // effects are made first: `owned(id, deviceState(…))` would borrow a copy of the machine
        // for the outer call while the inner one mutates it, and copy every lock record each time.
        case .deviceState(let id, let payload, let retained):
            let out = deviceState(id, payload: payload, retained: retained, now: now)
            return owned(id, out)
        case .deviceHeartbeat(let id):
            let out = deviceHeartbeat(id, now: now)
            return owned(id, out)
        // An event of a lock another bridge owns is that bridge's to audit: this one does not even
        // count it, so after a takeover it chases what the store has not got from the lock.
        case .deviceEvent(let id, let payload): return acts(for: id) ? deviceEvent(id, payload: payload, now: now) : []
        case .deviceAck(let id, let payload):
            // The answer to a command handed over with its shard is still this bridge's to store,
            // whoever owns the lock now (spec 8).
            if let handed = locks[id]?.handedOver, let ack = try? DeviceAck.parse(payload), ack.requestID == handed.requestID {
                return handedOverAnswered(id, handed, ack, now: now)
            }
            let out = deviceAck(id, payload: payload, now: now)
            return owned(id, out)
        case .emulatorStatus(let instance, let online): return emulatorStatus(instance, online: online, now: now)
        case .command(let message): return admit(message, now: now)
        case .fence(let token): return fencePassed(token, now: now)
        case .discoveryConfig(let topic, let payload): return leftover(topic, payload: payload)
        case .request(let message): return request(message, now: now)
        case .connected: return connected(now: now)
        case .homeAssistantOnline:
            guard leftovers.complete else { return [] }
            return [.publishPaced(discoveryConfigs() + lockTopics(now: now).map(PacedPublication.message))]
        case .tick: return tick(now: now)
        case .save(let all): return [.save(savedLocks(all: all))]
        case .prune:
            results.prune(before: now.addingTimeInterval(-configuration.requestRetention))
            return [.prune(now: now)]
        case .stopping: return stopping()
        case .shards(let view): return shardsChanged(view, now: now)
        case .shardData(let data): return shardDataLoaded(data, now: now)
        case .sharedRead(let shared): return sharedRead(shared, now: now)
        case .bridgeState(let text):
            // Another bridge's delayed Will: `online` stays true while any bridge is (spec 8).
            guard cluster != nil, text == "offline" else { return [] }
            return [.publish(Publication(topic: publicTopics.bridgeState, payload: Array("online".utf8), retain: true))]
        }
    }

    /// After every connect: the fence, then `online` and every retained topic. The fence goes
    /// first: a client that sends a command as soon as it sees `online` is then behind the
    /// fence, so its command is never taken for one queued in the session.
    mutating func connected(now: Date) -> [BridgeEffect] {
        var out: [BridgeEffect] = [.publish(Publication(topic: publicTopics.fence, payload: Array(fence.arm(newID()).utf8)))]
        for id in outsideAllowList { out += removeLock(id) }
        outsideAllowList = []
        out.append(.publish(Publication(topic: publicTopics.bridgeState, payload: Array("online".utf8), retain: true)))
        if let cluster { out.append(.publish(Publication(topic: publicTopics.instance(cluster.instance), payload: Array("online".utf8), retain: true))) }
        out += lockTopics(now: now).map(BridgeEffect.publish)
        if ownsShardZero { out.append(.publish(infoPublication())) }
        for name in planBook.entries.keys { planBook.entries[name]!.statusDue = true }
        // Discovery waits for the fence: every retained config of an earlier run arrives before it.
        leftovers = DiscoveryLeftovers()
        return out
    }

    /// This connection's fence came back: held commands are released, and the discovery configs
    /// go out, after migrating whatever an earlier run left in the other layout.
    mutating func fencePassed(_ token: String, now: Date) -> [BridgeEffect] {
        let wasComplete = leftovers.complete
        var out = fence.arrived(token).flatMap { command($0, now: now) }
        out += fence.releasedRequests().flatMap { request($0, now: now) }
        guard fence.passed, !wasComplete else { return out }
        leftovers.complete = true
        if leftovers.devices > 0, let discovery = settings.discovery {
            logger.notice("migrating Home Assistant discovery configs to the \(discovery.mode.rawValue) layout", metadata: ["devices": "\(leftovers.devices)"])
        }
        let configs = discoveryConfigs()
        if !configs.isEmpty { out.append(.publishPaced(configs)) }
        return out
    }

    /// Every retained topic of every lock, in lock order.
    func lockTopics(now: Date) -> [Publication] {
        var out: [Publication] = []
        for record in locks.values.sorted(by: { $0.id < $1.id }) where acts(for: record.id) && claimed(record) {
            out.append(LockContext.availability(record, settings))
            guard record.snapshot != nil else { continue }
            out.append(LockContext.state(record, settings))
            out.append(LockContext.credentials(record, settings))
            out.append(LockContext.batteryAlert(record, settings, now: now))
        }
        return out
    }

    /// Every discovery config: the bridge's own, then each lock's. A device whose configs an
    /// earlier run left in the other layout is migrated on the way (``DiscoveryLeftovers``).
    mutating func discoveryConfigs() -> [PacedPublication] {
        guard let discovery = settings.discovery else { return [] }
        var out = leftovers.migrating(discovery.bridgeNode, discovery.bridgePublications().map(PacedPublication.message))
        for id in locks.keys.sorted() where acts(for: id) && claimed(locks[id]!) {
            locks[id]!.discoveryKey = discovery.key(locks[id]!)
            if let item = discovery.item(for: locks[id]!) { out += leftovers.migrating(discovery.node(id), [.discovery(item)]) }
        }
        return out
    }

    func infoPublication() -> Publication {
        var info = BridgeInfo(
            version: Self.version, baseTopic: configuration.baseTopic, locks: locks.keys.sorted().map(\.rawValue), startedAt: startedAt)
        info.instances = cluster.map { $0.view.instances.merging([$0.instance: $0.view.mine.keys.sorted()]) { _, mine in mine } }
        return Publication(topic: publicTopics.bridgeInfo, payload: info.payload, retain: true)
    }

    func accepts(_ id: LockID) -> Bool { configuration.allowList.isEmpty || configuration.allowList.contains(id.rawValue) }

    /// Stopping: `offline` on `bridge/state` on its own; in a cluster this instance's own topic,
    /// and `bridge/state` too only when PostgreSQL knows no other live instance.
    func stopping() -> [BridgeEffect] {
        let offline = Publication(topic: publicTopics.bridgeState, payload: Array("offline".utf8), retain: true)
        guard let cluster else { return [.publish(offline)] }
        let mine = BridgeEffect.publish(Publication(topic: publicTopics.instance(cluster.instance), payload: Array("offline".utf8), retain: true))
        let others = cluster.view.instances.keys.filter { $0 != cluster.instance }
        return others.isEmpty ? [mine, .publish(offline)] : [mine]
    }

    static func bytes(_ o: JSONObject) -> [UInt8] {
        (try? o.serializedBytes()) ?? Array(#"{"error":"unserializable"}"#.utf8)
    }
}

/// What the core reads everywhere and never changes.
struct CoreSettings: Sendable {
    let configuration: BridgeConfiguration
    let publicTopics: PublicTopics
    let deviceTopics: DeviceTopics
    let signer: DeviceSigner
    let discovery: Discovery?

    /// The epoch of the events the bridge raises itself, persisted by the store.
    let bridgeEpoch: Int64
    /// Seals codes for the device link (from the device key).
    let codeSeal: CodeSeal

    init(configuration: BridgeConfiguration, signer: DeviceSigner, bridgeEpoch: Int64 = 1) {
        self.configuration = configuration
        self.signer = signer
        self.bridgeEpoch = bridgeEpoch
        codeSeal = signer.codeSeal
        publicTopics = PublicTopics(base: configuration.baseTopic)
        deviceTopics = DeviceTopics(prefix: configuration.deviceTopicPrefix)
        discovery = configuration.discovery
            ? Discovery(prefix: configuration.discoveryPrefix, mode: configuration.discoveryMode, topics: publicTopics, version: BridgeMachine.version)
            : nil
    }
}

/// What the store kept from the last run, for ``BridgeMachine/init``.
public struct StoredState: Sendable {
    /// Saved lock states (JSON), by lock id.
    public var locks: [String: [UInt8]]
    /// The exact last device sequence of each lock, written with each event.
    public var sequences: [String: (epoch: Int64, seq: Int64)]
    public var removed: Set<String>
    /// Remembered results within the retention period.
    public var results: [RememberedResult]
    /// The epoch of bridge-raised events, and each lock's last seq in it (removed locks too).
    public var bridgeEpoch: Int64
    public var bridgeSequences: [String: Int64]
    /// Access plans, their codes already opened with the plan key, and the answers to recent
    /// changing plan requests by `request_id`.
    public var plans: [StoredPlan] = []
    public var planRequests: [String: [UInt8]] = [:]

    public init(
        locks: [String: [UInt8]] = [:], sequences: [String: (epoch: Int64, seq: Int64)] = [:], removed: Set<String> = [],
        results: [RememberedResult] = [], bridgeEpoch: Int64 = 1, bridgeSequences: [String: Int64] = [:]
    ) {
        (self.bridgeEpoch, self.bridgeSequences) = (bridgeEpoch, bridgeSequences)
        self.locks = locks
        self.sequences = sequences
        self.removed = removed
        self.results = results
    }
}

extension PublicTopics {
    /// Where the bridge sends its fence to itself.
    public var fence: String { "\(base)/bridge/fence" }
}
