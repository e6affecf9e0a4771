import AuditLog
import Foundation
import Testing

/// One suite, two stores: SQLite and PostgreSQL behave alike on everything the bridge relies on.
@Suite struct StoreContractTests {
    func onEach(_ backend: Backend, _ body: @Sendable (any BridgeStore) async throws -> Void) async throws {
        let site = try await StoreSite.make(backend)
        do {
            try await site.withStore(body)
        } catch {
            try await site.stop()
            throw error
        }
        try await site.stop()
    }

    @Test(arguments: Backend.allCases)
    func theOutboxKeepsAppendOrderAndForgetsWhatWasDelivered(_ backend: Backend) async throws {
        try await onEach(backend) { store in
            let first = try await store.commit(.events(count: 3))
            let second = try await store.commit(.events("back", count: 2, firstSeq: 10))
            #expect(first == first.sorted() && second.allSatisfy { $0 > first.last! })
            var delivered = AuditBatch()
            delivered.delivered = [first[1], second[0], first[1], 999_999]
            _ = try await store.commit(delivered)
            #expect(try await store.undelivered(limit: 10).map(\.id) == [first[0], first[2], second[1]])
            #expect(try await store.undelivered(limit: 1).map(\.id) == [first[0]])
            let record = try #require(try await store.undelivered(limit: 1).first)
            #expect(record.lock == "front" && record.category == "access" && record.payload == Array(#"{"n":1}"#.utf8))
            #expect(record.at == t0 && record.epoch == 1 && record.seq == 1 && !record.delivered)
            #expect(try await store.counts() == AuditCounts(records: 5, undelivered: 3, requests: 0))
            #expect(try await store.lastSequences()["front"]! == (1, 3))
            #expect(try await store.lastSequences()["back"]! == (1, 11))
        }
    }

    @Test(arguments: Backend.allCases)
    func historyIsTheNewestPerLockOldestFirstWithSinceAndLimit(_ backend: Backend) async throws {
        try await onEach(backend) { store in
            _ = try await store.commit(.events(count: 5))
            _ = try await store.commit(.events("back", count: 2))
            let all = try await store.history(lock: "front", since: nil, limit: 100)
            #expect(all.compactMap(\.seq) == [1, 2, 3, 4, 5])
            #expect(try await store.history(lock: "front", since: t0.addingTimeInterval(3), limit: 100).compactMap(\.seq) == [4, 5])
            #expect(try await store.history(lock: "front", since: nil, limit: 2).compactMap(\.seq) == [4, 5])
            #expect(try await store.history(lock: "front", since: nil, limit: 0).isEmpty)
            #expect(try await store.history(lock: "nobody", since: nil, limit: 2).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func aProvisionalResultNeverOverwritesAndAFinalOneDoes(_ backend: Backend) async throws {
        try await onEach(backend) { store in
            func remember(_ text: String, final: Bool, at: Date = t0) async throws {
                var batch = AuditBatch()
                batch.results = [AuditBatch.Result(lock: "front", requestID: "r1", result: Array(text.utf8), at: at, final: final)]
                _ = try await store.commit(batch)
            }
            try await remember("provisional", final: false)
            try await remember("second provisional", final: false)
            #expect(try await store.result(lock: "front", requestID: "r1") == Array("provisional".utf8))
            try await remember("final", final: true, at: t0.addingTimeInterval(5))
            #expect(try await store.result(lock: "front", requestID: "r1") == Array("final".utf8))
            #expect(try await store.result(lock: "back", requestID: "r1") == nil)
            #expect(try await store.rememberedResults(since: t0.addingTimeInterval(1)).map(\.requestID) == ["r1"])
            #expect(try await store.rememberedResults(since: t0.addingTimeInterval(6)).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func lockStatesRemovalsAndBridgeSequences(_ backend: Backend) async throws {
        try await onEach(backend) { store in
            var batch = AuditBatch.events(count: 1)
            batch.events[0].bridgeSeq = 7
            batch.states = [(lock: "front", state: [1, 2]), (lock: "back", state: [3])]
            _ = try await store.commit(batch)
            var lower = AuditBatch.events(count: 1, firstSeq: 2)
            lower.events[0].bridgeSeq = 5
            lower.states = [(lock: "front", state: [9])]
            _ = try await store.commit(lower)
            #expect(try await store.lockStates() == ["front": [9], "back": [3]])
            #expect(try await store.bridgeSequences() == ["front": 7], "a bridge seq never goes back")
            let epoch = try await store.bridgeEpoch()
            #expect(epoch > 1_600_000_000_000, "milliseconds since 1970, fixed when the store was made")
            var removal = AuditBatch()
            removal.removed = [(lock: "front", at: t0)]
            _ = try await store.commit(removal)
            #expect(try await store.removedLocks() == ["front"])
            #expect(try await store.lockStates() == ["back": [3]])
            #expect(try await store.lastSequences()["front"] == nil)
            #expect(try await store.bridgeSequences() == ["front": 7], "a removed lock keeps its bridge seq")
            var readmit = AuditBatch()
            readmit.readmitted = ["front"]
            _ = try await store.commit(readmit)
            #expect(try await store.removedLocks().isEmpty)
            #expect(try await store.bridgeEpoch() == epoch)
        }
    }

    @Test(arguments: Backend.allCases)
    func plansAndTheirRequestsAreKeptAndForgotten(_ backend: Backend) async throws {
        try await onEach(backend) { store in
            var batch = AuditBatch()
            batch.planDefinitions = [(name: "cleaning", sealed: [1, 2, 3], appliedAt: t0)]
            batch.planLocks = [(plan: "cleaning", lock: "front", state: [4]), (plan: "cleaning", lock: "back", state: [5])]
            batch.planRequests = [(id: "p1", response: [6], at: t0)]
            _ = try await store.commit(batch)
            var again = AuditBatch()
            again.planDefinitions = [(name: "cleaning", sealed: [7], appliedAt: t0.addingTimeInterval(1))]
            again.planLocks = [(plan: "cleaning", lock: "front", state: [8])]
            again.planRequests = [(id: "p1", response: [0], at: t0)]
            _ = try await store.commit(again)
            let plans = try await store.plans()
            #expect(plans.map(\.name) == ["cleaning"] && plans.first?.sealed == [7])
            #expect(plans.first?.locks == ["front": [8], "back": [5]])
            #expect(try await store.planRequests(since: t0) == ["p1": [6]], "the first answer is kept")
            var gone = AuditBatch()
            gone.forgottenPlans = ["cleaning"]
            _ = try await store.commit(gone)
            #expect(try await store.plans().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func pruneDropsOnlyDeliveredOldRecordsAndOldRequestIDs(_ backend: Backend) async throws {
        try await onEach(backend) { store in
            let ids = try await store.commit(.events(count: 4))
            var batch = AuditBatch()
            batch.delivered = Array(ids.prefix(3))
            batch.results = [
                AuditBatch.Result(lock: "front", requestID: "old", result: [1], at: t0, final: true),
                AuditBatch.Result(lock: "front", requestID: "new", result: [1], at: t0.addingTimeInterval(86_400), final: true),
            ]
            _ = try await store.commit(batch)
            let now = t0.addingTimeInterval(86_400 + 3600)
            // Records older than 1 h go if delivered; request ids are kept 24 h at the least.
            #expect(try await store.prune(now: now, retention: 3600, requestRetention: 60) == 4)
            #expect(try await store.history(lock: "front", since: nil, limit: 10).map(\.id) == [ids[3]])
            #expect(try await store.rememberedResults(since: .distantPast).map(\.requestID) == ["new"])
            let later = try await store.commit(.events(count: 1, firstSeq: 9))
            #expect(later[0] > ids[3], "ids stay monotonic after pruning")
        }
    }

    @Test(arguments: Backend.allCases)
    func everythingIsThereAfterTheStoreIsOpenedAgain(_ backend: Backend) async throws {
        let site = try await StoreSite.make(backend)
        let ids = try await site.withStore { store in try await store.commit(.events(count: 3)) }
        let (undelivered, epoch) = try await site.withStore { store in (try await store.undelivered(limit: 10).map(\.id), try await store.bridgeEpoch()) }
        #expect(undelivered == ids)
        #expect(try await site.withStore { try await $0.bridgeEpoch() } == epoch, "migrations run once")
        try await site.stop()
    }
}
