@testable import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Several bridges in the core (spec 8), without PostgreSQL: the shard view comes as an input.
@Suite struct ClusterCoreTests {
    static func harness() -> CoreHarness {
        var h = CoreHarness {
            $0.cluster = ClusterSettings(postgres: "postgres://lb@db/lb")
            $0.cluster?.instance = "a"
        }
        h.connect()
        return h
    }

    static func all(_ epoch: UInt64) -> [Int: UInt64] { Dictionary(uniqueKeysWithValues: (0..<Shards.count).map { ($0, epoch) }) }

    @Test func theShardHashIsFixed() {
        // The values docs/mqtt-api.md shows for its Python version.
        #expect(Shards.shard(LockID("front-door")!) == 7)
        #expect(Shards.shard(LockID("back-door")!) == 33)
        #expect(Shards.shard(LockID("garage")!) == 44)
    }

    @Test func aLockIsActedOnOnlyAfterItsClaimAndItsShardsDataAndNeverWithAnotherEpoch() {
        var h = Self.harness()
        h.report("door")
        // No shard held: the bridge follows the lock but publishes nothing for it.
        #expect(h.report("door").publications.allSatisfy { !$0.topic.hasPrefix("lockbridge/door/") })
        let taken = h.handle(.shards(ShardView(mine: Self.all(7), held: Set(0..<64), instances: ["a": Array(0..<64)])))
        let claims = h.deviceCommands(taken, "door")
        #expect(claims.map(\.command) == [.claim] && claims.first?.ownerEpoch == 7)
        // The lock acknowledges; a command waits until the shard's data is loaded (a retry the
        // earlier owner answered must be found first), then goes with the epoch.
        _ = h.deliverToLocks(taken)
        let early = h.command("door", #"{"command":"lock","request_id":"c1"}"#)
        #expect(h.deviceCommands(early, "door").isEmpty)
        let ready = h.handle(.shardData(ShardData(shards: Set(0..<64), results: [], bridgeSequences: [:])))
        #expect(ready.publications.contains { $0.topic == "lockbridge/door/state" })
        #expect(h.deviceCommands(ready, "door").map(\.command) == [.lock])
        #expect(h.deviceCommands(ready, "door").first?.ownerEpoch == 7)
    }

    /// A retry that the shard's earlier owner already answered is answered from the shared
    /// memory once the shard's data is in, and never goes to the lock.
    @Test func aRetryTheEarlierOwnerAnsweredIsNotSentAgain() {
        var h = Self.harness()
        h.report("door")
        _ = h.deliverToLocks(h.handle(.shards(ShardView(mine: Self.all(3), held: Set(0..<64), instances: ["a": Array(0..<64)]))))
        _ = h.command("door", #"{"command":"unlock","request_id":"u1"}"#)
        let earlier = ResultPayload.bytes(requestID: "u1", command: "unlock", error: nil, at: h.now)
        let ready = h.handle(.shardData(ShardData(
            shards: Set(0..<64), results: [RememberedResult(lock: LockID("door")!, requestID: "u1", result: earlier, at: h.now, final: true)],
            bridgeSequences: [:])))
        #expect(h.deviceCommands(ready, "door").isEmpty, "the unlock went to the lock a second time")
        #expect(ready.json("lockbridge/door/result").last?["duplicate"]?.boolValue == true)
    }

    /// A bridge ready on every shard, with `door` claimed, and an unlock `u1` sent to it.
    static func unlockInFlight() -> (CoreHarness, sent: [BridgeEffect]) {
        var h = Self.harness()
        h.report("door")
        _ = h.deliverToLocks(h.handle(.shards(ShardView(mine: Self.all(3), held: Set(0..<64), instances: ["a": Array(0..<64)]))))
        _ = h.handle(.shardData(ShardData(shards: Set(0..<64), results: [], bridgeSequences: [:])))
        let sent = h.command("door", #"{"command":"unlock","request_id":"u1"}"#)
        #expect(h.deviceCommands(sent, "door").map(\.command) == [.unlock])
        return (h, sent)
    }

    /// The shard goes to another bridge while an unlock is in flight. The lock had taken it
    /// before the new owner's claim: its answer is the command's final result, stored for the
    /// new owner, which answers a retry with it.
    @Test func theAnswerToACommandInFlightAtAHandoverIsStoredForTheNewOwner() {
        var (h, sent) = Self.unlockInFlight()
        _ = h.handle(.shards(ShardView(mine: [:], held: Set(0..<64), instances: ["b": Array(0..<64)])))
        let answered = h.deliverToLocks(sent)
        #expect(answered.json("lockbridge/door/result").last?["status"]?.stringValue == "ok")
        let stored = answered.compactMap { if case .remember(let r) = $0, r.requestID == "u1" { r } else { nil } }
        #expect(stored.count == 1 && stored.first?.final == true, "the lock's answer did not reach the shared memory")
        // A stale_owner answer instead means the lock did nothing: `busy` is stored, and the
        // shard is not fought over.
        var (g, _) = Self.unlockInFlight()
        _ = g.handle(.shards(ShardView(mine: [:], held: Set(0..<64), instances: ["b": Array(0..<64)])))
        let stale = CommandResult(requestID: "u1", command: "unlock", error: LockError(.staleOwner, "an older owner"))
        let refused = g.handle(.deviceAck(LockID("door")!, payload: try! DeviceAck.payload(stale, ownerEpoch: 4)))
        #expect(refused.json("lockbridge/door/result").last?["error"]?.objectValue?["code"]?.stringValue == "busy")
        #expect(!refused.contains { if case .retakeShard = $0 { true } else { false } })
        // The new owner, with that `busy` in its memory, carries out a retry, once: what it
        // stores before the unlock leaves replaces the `busy`, so a second retry waits for it.
        let busy = refused.compactMap { if case .remember(let r) = $0 { r } else { nil } }
        #expect(busy.count == 1 && busy.first?.final == true)
        var n = Self.harness()
        n.report("door")
        _ = n.deliverToLocks(n.handle(.shards(ShardView(mine: Self.all(4), held: Set(0..<64), instances: ["b": Array(0..<64)]))))
        _ = n.handle(.shardData(ShardData(shards: Set(0..<64), results: busy, bridgeSequences: [:])))
        let retry = n.command("door", #"{"command":"unlock","request_id":"u1"}"#)
        #expect(n.deviceCommands(retry, "door").map(\.command) == [.unlock], "a retry after busy was not carried out")
        #expect(retry.contains { if case .remember(let r) = $0 { r.final } else { false } }, "the busy stays in the store")
        let again = n.command("door", #"{"command":"unlock","request_id":"u1"}"#)
        #expect(n.deviceCommands(again, "door").isEmpty, "a second retry went to the lock too")
    }

    /// The new owner loaded the shard before the earlier owner stored the lock's answer: its
    /// shared reads bring the answer in, and a retry gets it instead of the unknown outcome.
    @Test func aNewOwnerFollowsTheAnswersTheEarlierOwnerStoresAfterTheHandover() {
        var h = Self.harness()
        h.report("door")
        let taken = h.handle(.shards(ShardView(mine: Self.all(5), held: Set(0..<64), instances: ["a": Array(0..<64)])))
        _ = h.deliverToLocks(taken)
        let unknown = ResultPayload.bytes(requestID: "u1", command: "unlock", error: LockError(.timeout, "the bridge stopped before the lock answered"), at: h.now)
        _ = h.handle(.shardData(ShardData(
            shards: Set(0..<64), results: [RememberedResult(lock: LockID("door")!, requestID: "u1", result: unknown, at: h.now, final: false)],
            bridgeSequences: [:])))
        h.advance(1.5)
        let ticked = h.handle(.tick)
        #expect(ticked.contains { if case .readShared(let since?) = $0 { since < h.now } else { false } }, "no shared read of the results")
        let done = ResultPayload.bytes(requestID: "u1", command: "unlock", error: nil, at: h.now)
        _ = h.handle(.sharedRead(SharedState(results: [RememberedResult(lock: LockID("door")!, requestID: "u1", result: done, at: h.now, final: true)])))
        let retry = h.command("door", #"{"command":"unlock","request_id":"u1"}"#)
        #expect(h.deviceCommands(retry, "door").isEmpty, "the unlock went to the lock a second time")
        #expect(retry.json("lockbridge/door/result").last?["status"]?.stringValue == "ok")
        // Once the window after the takeover has passed, the reads no longer bring results.
        h.advance(30)
        #expect(h.handle(.tick).contains { if case .readShared(nil) = $0 { true } else { false } })
    }

    @Test func theLastBridgeToStopTurnsBridgeStateOffAndOtherwiseOnlyItsOwnTopic() {
        var alone = Self.harness()
        _ = alone.handle(.shards(ShardView(mine: Self.all(1), held: Set(0..<64), instances: ["a": Array(0..<64)])))
        let last = alone.handle(.stopping).publications.map(\.topic)
        #expect(last.contains("lockbridge/bridge/state") && last.contains("lockbridge/bridge/instances/a"))
        var shared = Self.harness()
        _ = shared.handle(.shards(ShardView(mine: [0: 1], held: Set(0..<64), instances: ["a": [0], "b": Array(1..<64)])))
        let one = shared.handle(.stopping).publications.map(\.topic)
        #expect(one == ["lockbridge/bridge/instances/a"])
    }

    /// A lock removed on its owner is forgotten by the other bridges at their next read of the
    /// store; `bridge/info` comes from the owner of shard 0 only.
    @Test func aRemovalOnOneBridgeIsReadByTheOthersAndOnlyShardZerosOwnerPublishesInfo() {
        var a = ClusterPlanTests.bridge("a", shards: ClusterPlanTests.aShards)
        var b = ClusterPlanTests.bridge("b", shards: Set(0..<Shards.count).subtracting(ClusterPlanTests.aShards))
        // `back-door` is b's: a forgets it once the store says removed, and publishes nothing for it.
        let read = a.handle(.sharedRead(SharedState(removed: ["back-door"])))
        #expect(a.machine.locks[LockID("back-door")!] == nil && a.machine.locks[LockID("front-door")!] != nil)
        #expect(read.publications.allSatisfy { !$0.topic.hasPrefix("lockbridge/back-door/") })
        a.advance(0.2)
        let info = a.handle(.tick).json("lockbridge/bridge/info").last
        #expect(info?["locks"]?.arrayValue?.compactMap(\.stringValue) == ["front-door"], "\(String(describing: info))")
        // b holds no shard 0: it forgets a lock of a's, and says nothing on bridge/info.
        b.handle(.sharedRead(SharedState(removed: ["front-door"])))
        #expect(b.machine.locks[LockID("front-door")!] == nil)
        b.advance(0.2)
        #expect(b.handle(.tick).json("lockbridge/bridge/info").isEmpty)
        // Its own lock stays whatever the store says: removing it is the owner's work.
        b.handle(.sharedRead(SharedState(removed: ["back-door"])))
        #expect(b.machine.locks[LockID("back-door")!] != nil)
        // A live report brings a removed lock back.
        a.report("back-door")
        #expect(a.machine.locks[LockID("back-door")!] != nil)
    }
}
