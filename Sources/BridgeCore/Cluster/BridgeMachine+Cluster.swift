public import Foundation
import JSON
public import LockAPI
import LockCore
import Logging

/// Several bridges (spec 8). A bridge acts for a lock only while it holds the lock's shard
/// (``ShardView/mine``), and only after the lock acknowledged its `claim` with the shard's
/// epoch. It still follows every lock's snapshots and sequence, so it can take a shard over at
/// once, but publishes, audits and sends nothing for a lock it does not own.
struct ClusterState: Sendable {
    let instance: String
    let takeover: TimeInterval
    var view = ShardView()
    /// Commands for shards that nobody holds, waiting for an owner; answered `busy` by the owner
    /// of shard 0 after `takeover_s`.
    var orphans: [(message: CommandMessage, at: Date)] = []
    /// Instances `bridge/instances/<instance>` was last published online for (by the owner of shard 0).
    var announced: Set<String> = []
    /// Bridge requests whose shard nobody held when they came (dropped after `takeover_s`).
    var waitingRequests: [(message: RequestMessage, at: Date)] = []
    /// Shards whose request memory and sequences came from the store since they were taken: a
    /// lock is acted on only then, so a retry the earlier owner answered is never run again.
    var loaded: Set<Int> = []
    /// When the plans and removed locks are read back from the store next (``BridgeEffect/readShared``).
    var nextSharedRead = Date.distantPast
    /// After taking shards: until when the shared reads also bring the results other bridges
    /// stored since `since`, so the answer to a command the earlier owner had in flight reaches
    /// this bridge's request memory even when it came after the shard's data was loaded.
    var followResults: (since: Date, until: Date)?
}

extension BridgeMachine {
    /// The shards this bridge holds; nil for a bridge on its own (it holds every lock).
    public var ownedShards: Set<Int>? { cluster.map { Set($0.view.mine.keys) } }

    /// Whether this bridge acts for `id` now: always on its own, else while it holds the shard.
    func acts(for id: LockID) -> Bool {
        guard let cluster else { return true }
        return cluster.view.mine[Shards.shard(id)] != nil
    }

    /// The epoch every device command to `id` carries (0 for a bridge on its own).
    func ownerEpoch(_ id: LockID) -> UInt64 { cluster?.view.mine[Shards.shard(id)] ?? 0 }

    /// Whether the lock acknowledged this owner's claim (always true on its own).
    func claimed(_ record: LockRecord) -> Bool {
        guard let cluster else { return true }
        return record.claimedEpoch == ownerEpoch(record.id) && ownerEpoch(record.id) > 0 && cluster.loaded.contains(Shards.shard(record.id))
    }

    /// Whether this bridge answers the bridge-wide requests and publishes `bridge/info`.
    var ownsShardZero: Bool { cluster.map { $0.view.mine[0] != nil } ?? true }

    /// Keeps a device input's effects only for a lock this bridge owns.
    func owned(_ id: LockID, _ effects: [BridgeEffect]) -> [BridgeEffect] { acts(for: id) ? effects : [] }

    /// PostgreSQL's answer changed: shards lost are dropped at once; each lock of a shard gained
    /// (or taken again with a higher epoch) is claimed.
    mutating func shardsChanged(_ view: ShardView, now: Date) -> [BridgeEffect] {
        guard var state = cluster else { return [] }
        let before = state.view.mine
        state.view = view
        // A shard taken again (a new epoch) is loaded again too.
        state.loaded = state.loaded.filter { view.mine[$0] != nil && view.mine[$0] == before[$0] }
        cluster = state
        var out: [BridgeEffect] = []
        for id in locks.keys.sorted() {
            let shard = Shards.shard(id)
            guard view.mine[shard] != before[shard] else { continue }
            // Whatever was under way for a lost shard is the new owner's now: it answers a retry
            // from the shared request memory, where the lock's answer to a command in flight
            // still goes (``handedOverAnswered``).
            if view.mine[shard] == nil { locks[id]!.handedOver = locks[id]!.pending }
            locks[id]!.pending = nil
            locks[id]!.queue = []
            locks[id]!.claimedEpoch = nil
            locks[id]!.claim = nil
            if view.mine[shard] != nil { out += claim(id, now: now) }
        }
        // Taken, or taken again with a higher epoch (after a stale_owner): loaded from the store again.
        let gained = Set(view.mine.keys.filter { view.mine[$0] != before[$0] })
        if !gained.isEmpty {
            logger.notice("took shards", metadata: ["shards": "\(gained.sorted())", "instance": "\(state.instance)"])
            out.append(.loadShards(gained))
            // Answers come within the command timeout of the handover (and the clocks may differ by a second).
            let window = configuration.commandTimeout
            let since = now.addingTimeInterval(-window - 1)
            cluster!.followResults = (since: min(cluster!.followResults?.since ?? since, since), until: now.addingTimeInterval(2 * window + 2))
        }
        let lost = Set(before.keys).subtracting(view.mine.keys)
        if !lost.isEmpty {
            logger.notice("lost shards", metadata: ["shards": "\(lost.sorted())", "instance": "\(state.instance)"])
            planShardsLost(lost)
        }
        out += releaseOrphans(now: now)
        if ownsShardZero {
            out += announceInstances() + [.publish(infoPublication())]
            // Shard 0 just came here: every plan's status goes out from this bridge now.
            if before[0] == nil { for name in planBook.entries.keys { planBook.entries[name]!.statusDue = true } }
        }
        return out
    }

    /// Sends the lock a signed `claim` with the shard's epoch; it acts on the lock once acknowledged.
    mutating func claim(_ id: LockID, now: Date) -> [BridgeEffect] {
        guard var record = locks[id], acts(for: id) else { return [] }
        let requestID = "claim-\(newID())"
        let device = DeviceCommand(requestID: requestID, counter: nextCounter(now), command: .claim, ownerEpoch: ownerEpoch(id))
        guard let payload = try? device.payload() else { return [] }
        record.claim = (requestID, now.addingTimeInterval(configuration.commandTimeout))
        locks[id] = record
        return [.publish(signed(id, .cmd, payload))]
    }

    /// The lock's answer to a claim: acknowledged, everything retained about it goes out again and
    /// what waited goes to the lock; refused as stale, the shard is taken again above the lock's epoch.
    mutating func claimAnswered(_ id: LockID, _ ack: CommandResult, payload: [UInt8], now: Date) -> [BridgeEffect]? {
        guard var record = locks[id], let claim = record.claim, claim.requestID == ack.requestID else { return nil }
        record.claim = nil
        guard ack.error == nil else {
            locks[id] = record
            return staleOwner(id, payload)
        }
        record.claimedEpoch = ownerEpoch(id)
        locks[id] = record
        return becameReady(id, now: now)
    }

    /// The lock acknowledged the claim and its shard is loaded: everything retained about it goes
    /// out again, and what waited goes to the lock.
    mutating func becameReady(_ id: LockID, now: Date) -> [BridgeEffect] {
        guard var record = locks[id], claimed(record) else { return [] }
        var out: [BridgeEffect] = [.publish(LockContext.availability(record, settings))]
        if record.snapshot != nil {
            out += [.publish(LockContext.state(record, settings)), .publish(LockContext.credentials(record, settings)),
                    .publish(LockContext.batteryAlert(record, settings, now: now))]
        }
        if let discovery = settings.discovery, leftovers.complete, let item = discovery.item(for: record) { out.append(.publishPaced([.discovery(item)])) }
        out += dispatchNext(&record, now: now)
        locks[id] = record
        planLockChanged(id)
        return out + planWork(now: now)
    }

    /// The lock's answer to a command sent before its shard went to another bridge: what it did
    /// is the command's final result, stored for the new owner to answer retries with. Refused
    /// as stale, it did nothing: the stored `busy` lets the new owner carry out a retry
    /// (``RequestMemory/result(lock:requestID:)``). A plan's write is found out by the new owner
    /// from the lock's credentials. The shard is not fought over.
    mutating func handedOverAnswered(_ id: LockID, _ handed: PendingCommand, _ ack: CommandResult, now: Date) -> [BridgeEffect] {
        locks[id]?.handedOver = nil
        guard handed.plan == nil else { return [] }
        let error = ack.error?.code == .staleOwner ? Self.handedOverBusy : ack.error
        return result(id, handed.requestID, handed.command, error, reply: handed.reply, repeats: handed.repeats, now: now)
    }

    static let handedOverBusy = LockError(.busy, "the lock is being handed to another bridge; try again")

    /// A lock holds a higher epoch than this bridge's: the shard is taken again above it.
    func staleOwner(_ id: LockID, _ payload: [UInt8]) -> [BridgeEffect] {
        let held = DeviceAck.heldEpoch(payload) ?? ownerEpoch(id)
        logger.notice("a lock holds a newer owner epoch; taking the shard again", metadata: ["lock.id": "\(id)", "held_epoch": "\(held)"])
        return [.retakeShard(Shards.shard(id), above: held)]
    }

    /// A command for a lock whose shard nobody holds waits for an owner.
    mutating func orphanCommand(_ message: CommandMessage, _ id: LockID, now: Date) -> [BridgeEffect] {
        guard let state = cluster, !acts(for: id), !state.view.held.contains(Shards.shard(id)) else { return [] }
        cluster!.orphans.append((message, now))
        if cluster!.orphans.count > 4096 { cluster!.orphans.removeFirst() }
        return []
    }

    /// Orphans whose shard this bridge now holds are handled; those another bridge took are its
    /// business; those still without an owner after `takeover_s` are `busy` (from shard 0's owner).
    mutating func releaseOrphans(now: Date) -> [BridgeEffect] {
        guard let state = cluster, !state.orphans.isEmpty || !state.waitingRequests.isEmpty else { return [] }
        var out: [BridgeEffect] = []
        var waiting: [(message: CommandMessage, at: Date)] = []
        for orphan in state.orphans {
            guard case .lock(let id)? = publicTopics.commandTarget(orphan.message.topic) else { continue }
            let shard = Shards.shard(id)
            if state.view.mine[shard] != nil {
                out += command(orphan.message, now: now)
            } else if state.view.held.contains(shard) {
                continue
            } else if now.timeIntervalSince(orphan.at) >= state.takeover {
                if ownsShardZero {
                    let parsed = CommandParser.parse(orphan.message.payload, now: now, maxAge: .infinity, minCodeLength: configuration.minCodeLength)
                    let (requestID, name) = echo(parsed)
                    let error = LockError(.busy, "no bridge holds this lock's shard right now; try again")
                    out += reject(id, requestID: requestID, command: name, error, reply: Self.replyRoute(orphan.message, publicTopics), now: now)
                }
            } else {
                waiting.append(orphan)
            }
        }
        cluster!.orphans = waiting
        // Requests that waited for an owner: asked again now; each bridge answers only its own.
        var still: [(message: RequestMessage, at: Date)] = []
        for waiting in state.waitingRequests where now.timeIntervalSince(waiting.at) < state.takeover {
            let shard = Self.shard(of: BridgeRequest.parse(name: waiting.message.name, payload: waiting.message.payload).request)
            if state.view.mine[shard] != nil {
                out += request(waiting.message, now: now)
            } else if !state.view.held.contains(shard) {
                still.append(waiting)
            }
        }
        cluster!.waitingRequests = still
        return out
    }

    /// `bridge/instances/<instance>` for every instance PostgreSQL knows, and `offline` for one
    /// that is gone (it died: its own clean `offline` never came).
    mutating func announceInstances() -> [BridgeEffect] {
        guard let state = cluster else { return [] }
        let now = Set(state.view.instances.keys).union([state.instance])
        var out: [BridgeEffect] = []
        for gone in state.announced.subtracting(now).sorted() {
            out.append(.publish(Publication(topic: publicTopics.instance(gone), payload: Array("offline".utf8), retain: true)))
        }
        for name in now.subtracting(state.announced).sorted() {
            out.append(.publish(Publication(topic: publicTopics.instance(name), payload: Array("online".utf8), retain: true)))
        }
        cluster!.announced = now
        return out
    }

    /// What the store has about the shards just taken: the request memory and the seqs of
    /// bridge-raised events, written by their earlier owners.
    mutating func shardDataLoaded(_ data: ShardData, now: Date) -> [BridgeEffect] {
        guard cluster != nil else { return [] }
        // Only shards still held with the epoch they were loaded for.
        let shards = data.shards.filter { cluster!.view.mine[$0] != nil }
        cluster!.loaded.formUnion(shards)
        for result in data.results { results.remember(result) }
        // Where the shared log stands for each lock: what the lock has beyond it is asked for again.
        for (id, last) in data.sequences where locks[id] != nil && acts(for: id) {
            var record = locks[id]!
            (record.epoch, record.seq) = (last.epoch, last.seq)
            record.knownSeq = max(last.seq, record.snapshot.map { $0.epoch == last.epoch ? $0.seq : last.seq } ?? last.seq)
            record.early = [:]
            if record.knownSeq > record.seq { record.behindSince = now }
            locks[id] = record
        }
        for (id, seq) in data.bridgeSequences {
            if locks[id] != nil { locks[id]!.bridgeSeq = max(locks[id]!.bridgeSeq, seq) } else { bridgeSeqFloor[id] = max(bridgeSeqFloor[id] ?? 0, seq) }
        }
        var out: [BridgeEffect] = []
        for id in locks.keys.sorted() where shards.contains(Shards.shard(id)) { out += becameReady(id, now: now) }
        return out
    }
}

/// The store's part of a takeover (``BridgeEffect/loadShards(_:)``), read by the executor.
public struct ShardData: Sendable {
    public var shards: Set<Int>
    public var results: [RememberedResult]
    public var bridgeSequences: [LockID: Int64]
    /// The last (epoch, seq) the shared log holds of each lock.
    public var sequences: [LockID: (epoch: Int64, seq: Int64)]

    public init(
        shards: Set<Int>, results: [RememberedResult], bridgeSequences: [LockID: Int64], sequences: [LockID: (epoch: Int64, seq: Int64)] = [:]
    ) {
        self.shards = shards
        self.results = results
        self.bridgeSequences = bridgeSequences
        self.sequences = sequences
    }
}

extension PublicTopics {
    /// `<base>/bridge/instances/<instance>`: `online` or `offline`, retained (spec 8).
    public func instance(_ name: String) -> String { "\(base)/bridge/instances/\(name)" }
}
