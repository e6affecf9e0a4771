@testable import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Access plans with two bridges in the core (spec 8): bridge `a` holds shard 0 and the shard
/// of `front-door` (7); bridge `b` every other shard, `back-door`'s (33) among them. The store
/// is what both wrote, read back as the executor reads it (``BridgeEffect/readShared``).
@Suite struct ClusterPlanTests {
    static let aShards: Set<Int> = [0, 7]

    /// The plans as PostgreSQL would hold them after the writes in the effects.
    struct PlanStore {
        var definitions: [String: PlanDefinition] = [:]
        var rows: [String: [String: [UInt8]]] = [:]

        mutating func write(_ effects: [BridgeEffect]) {
            for case .plans(let changes) in effects {
                for change in changes {
                    switch change {
                    case .definition(let d):
                        // Through JSON, as sealing and opening it does.
                        definitions[d.plan.name] = try! PlanDefinition(object: d.object)
                    case .lock(let plan, let lock, let state): rows[plan, default: [:]][lock.rawValue] = state
                    case .forget(let plan): (definitions[plan], rows[plan]) = (nil, nil)
                    case .request: break
                    }
                }
            }
        }

        var stored: [StoredPlan] { definitions.keys.sorted().map { StoredPlan(definition: definitions[$0]!, locks: rows[$0] ?? [:]) } }
    }

    static func bridge(_ instance: String, shards: Set<Int>) -> CoreHarness {
        var h = CoreHarness {
            $0.cluster = ClusterSettings(postgres: "postgres://lb@db/lb")
            $0.cluster?.instance = instance
        }
        h.connect()
        for id in ["front-door", "back-door"] { h.report(id) }
        let other: Set<Int> = Set(0..<Shards.count).subtracting(aShards)
        let view = ShardView(
            mine: Dictionary(uniqueKeysWithValues: shards.map { ($0, 1) }), held: Set(0..<Shards.count),
            instances: ["a": aShards.sorted(), "b": other.sorted()])
        h.deliverToLocks(h.handle(.shards(view)))
        h.handle(.shardData(ShardData(shards: shards, results: [], bridgeSequences: [:])))
        return h
    }

    /// Both bridges and their store, with `front-door` on `a` and `back-door` on `b`.
    struct Pair {
        var a = ClusterPlanTests.bridge("a", shards: ClusterPlanTests.aShards)
        var b = ClusterPlanTests.bridge("b", shards: Set(0..<Shards.count).subtracting(ClusterPlanTests.aShards))
        var store = PlanStore()

        /// A second passes on both: each carries out its writes, then reads the store back.
        mutating func second() -> (a: [BridgeEffect], b: [BridgeEffect]) {
            var outA: [BridgeEffect] = [], outB: [BridgeEffect] = []
            for _ in 0..<3 {
                a.advance(0.4)
                b.advance(0.4)
                for id in ["front-door", "back-door"] {
                    a.handle(.deviceHeartbeat(LockID(id)!))
                    b.handle(.deviceHeartbeat(LockID(id)!))
                }
                let tickA = a.handle(.tick)
                store.write(tickA)
                let tickB = b.handle(.tick)
                store.write(tickB)
                let readA = a.handle(.sharedRead(SharedState(plans: store.stored)))
                store.write(readA)
                var more = PlanTests.settle(&a, tickA + readA)
                store.write(more)
                outA += more
                let readB = b.handle(.sharedRead(SharedState(plans: store.stored)))
                store.write(readB)
                more = PlanTests.settle(&b, tickB + readB)
                store.write(more)
                outB += more
            }
            return (outA, outB)
        }
    }

    static func status(_ effects: [BridgeEffect]) -> JSONObject? { effects.json("lockbridge/bridge/plan/cleaning").last }

    static func summary(_ h: CoreHarness) -> [String: String] {
        var out: [String: String] = [:]
        for (id, state) in h.machine.planBook.entries["cleaning"]?.locks ?? [:] { out[id.rawValue] = state.status.rawValue }
        return out
    }

    @Test func aPlanAppliedOnOneBridgeReachesTheOthersLocksAndOneStatusCountsThemAll() {
        var pair = Pair()
        let (answer, applied) = PlanTests.apply(&pair.a, locks: ["front-door", "back-door"])
        #expect(answer?["status"]?.stringValue == "ok", "\(String(describing: answer))")
        pair.store.write(applied)
        // `a` writes its own lock only, and stores only its own lock's standing.
        #expect(PlanTests.planWrites(pair.a, applied, "back-door").isEmpty)
        var everything = PlanTests.settle(&pair.a, applied)
        pair.store.write(everything)
        #expect(pair.store.rows["cleaning"]?.keys.sorted() == ["front-door"])
        #expect(Self.summary(pair.a) == ["front-door": "in_sync", "back-door": "pending"])

        var bOut: [BridgeEffect] = []
        for _ in 0..<4 {
            let (a, b) = pair.second()
            everything += a
            bOut += b
        }
        #expect(PlanTests.planWrites(pair.b, bOut, "back-door").count == 1, "b writes its lock once")
        #expect(PlanTests.planWrites(pair.b, bOut, "front-door").isEmpty)
        #expect(pair.b.locks["back-door"]!.credentials.pins.contains { $0.plan == "cleaning" })
        #expect(Self.summary(pair.a) == ["front-door": "in_sync", "back-door": "in_sync"])
        // One view of the status, from the owner of shard 0; the other bridge publishes none.
        let summary = Self.status(everything)?["summary"]?.objectValue
        #expect(summary?["in_sync"]?.intValue == 2, "\(String(describing: summary))")
        #expect(Self.status(bOut) == nil)
        #expect(PlanTests.planEvents(bOut, "applied").count == 1)
    }

    @Test func aRemovalEndsOnlyOnceEveryOwnerClearedItsLocks() {
        var pair = Pair()
        let (_, applied) = PlanTests.apply(&pair.a, locks: ["front-door", "back-door"])
        pair.store.write(applied)
        pair.store.write(PlanTests.settle(&pair.a, applied))
        for _ in 0..<4 { _ = pair.second() }
        #expect(Self.summary(pair.a)["back-door"] == "in_sync")

        let removal = #"{"name": "cleaning", "issued_at": "\#(RFC3339.format(pair.a.now))", "request_id": "r1"}"#
        let asked = pair.a.handle(.request(RequestMessage(name: "plan/remove", payload: Array(removal.utf8))))
        pair.store.write(asked)
        pair.store.write(PlanTests.settle(&pair.a, asked))
        // `a` has cleared its lock, and `b` has not yet read the removal: the plan stays.
        #expect(pair.a.machine.planBook.entries["cleaning"] != nil)
        #expect(pair.store.definitions["cleaning"] != nil)

        var aOut: [BridgeEffect] = [], bOut: [BridgeEffect] = []
        for _ in 0..<5 {
            let (a, b) = pair.second()
            aOut += a
            bOut += b
        }
        #expect(pair.b.locks["back-door"]!.credentials.pins.allSatisfy { $0.plan == nil }, "b cleared its lock")
        #expect(pair.a.locks["front-door"]!.credentials.pins.allSatisfy { $0.plan == nil })
        #expect(pair.store.definitions["cleaning"] == nil, "the owner of shard 0 forgot the plan")
        #expect(pair.a.machine.planBook.entries["cleaning"] == nil && pair.b.machine.planBook.entries["cleaning"] == nil)
        #expect(aOut.publications.contains { $0.topic == "lockbridge/bridge/plan/cleaning" && $0.payload.isEmpty })
        #expect(!bOut.publications.contains { $0.topic == "lockbridge/bridge/plan/cleaning" })
    }

    @Test func anApplyIsAlwaysLaterThanTheLastWhateverTheClock() {
        var pair = Pair()
        let (_, first) = PlanTests.apply(&pair.a, locks: ["front-door"], id: "p1")
        pair.store.write(first)
        let before = pair.a.machine.planBook.entries["cleaning"]!.definition
        pair.a.advance(-60)
        let (_, again) = PlanTests.apply(&pair.a, locks: ["front-door"], id: "p2", code: "592734")
        pair.store.write(again)
        let after = pair.a.machine.planBook.entries["cleaning"]!.definition
        #expect(BridgeMachine.isNewer(after, than: before))
        #expect(BridgeMachine.isNewer(pair.store.definitions["cleaning"]!, than: before))
        #expect(!BridgeMachine.isNewer(before, than: pair.store.definitions["cleaning"]!))
    }

    /// A shard lost with a plan write on its way: the write is the new owner's to find out about,
    /// and it no longer takes a place in this bridge's `plan_parallel`.
    @Test func aShardLostMidWriteFreesItsPlaceInTheBudget() {
        var pair = Pair()
        let (_, applied) = PlanTests.apply(&pair.a, locks: ["front-door", "back-door"])
        pair.store.write(applied)
        let read = pair.b.handle(.sharedRead(SharedState(plans: pair.store.stored)))
        #expect(PlanTests.planWrites(pair.b, read, "back-door").count == 1)
        #expect(pair.b.machine.planBook.writesOut == 1)
        let back = Shards.shard(LockID("back-door")!)
        let rest = Set(0..<Shards.count).subtracting(Self.aShards).subtracting([back])
        pair.b.handle(.shards(ShardView(
            mine: Dictionary(uniqueKeysWithValues: rest.map { ($0, 1) }), held: Set(0..<Shards.count),
            instances: ["a": (Self.aShards.union([back])).sorted(), "b": rest.sorted()])))
        #expect(pair.b.machine.planBook.writesOut == 0)
        #expect(pair.b.machine.planBook[PlanKey(plan: "cleaning", lock: LockID("back-door")!)]?.inFlight?.orphaned == true)
    }
}
