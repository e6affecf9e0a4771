public import Foundation
public import LockAPI

/// Several bridges (spec 8): what one bridge changes in PostgreSQL that the others keep in
/// memory too, the plans and the removed locks, is read back by every bridge once a second.
public struct SharedState: Sendable {
    public var plans: [StoredPlan]
    /// Lock ids removed on request (a live report brings one back).
    public var removed: Set<String>
    /// Results stored since ``BridgeEffect/readShared(resultsSince:)`` asked (after taking shards).
    public var results: [RememberedResult]

    public init(plans: [StoredPlan] = [], removed: Set<String> = [], results: [RememberedResult] = []) {
        (self.plans, self.removed, self.results) = (plans, removed, results)
    }
}

extension BridgeMachine {
    /// How often a bridge of several reads the shared state back.
    static let sharedReadInterval: TimeInterval = 1

    /// On a tick: time to read the shared state again (several bridges only).
    mutating func sharedReadDue(now: Date) -> [BridgeEffect] {
        guard let state = cluster, now >= state.nextSharedRead else { return [] }
        cluster!.nextSharedRead = now.addingTimeInterval(Self.sharedReadInterval)
        if let follow = state.followResults, now >= follow.until { cluster!.followResults = nil }
        return [.readShared(resultsSince: cluster!.followResults?.since)]
    }

    mutating func sharedRead(_ shared: SharedState, now: Date) -> [BridgeEffect] {
        guard cluster != nil else { return [] }
        removalsRead(shared.removed)
        // The final answers to commands an earlier owner of our shards had in flight.
        for result in shared.results where result.final && acts(for: result.lock) { results.remember(result) }
        return plansRead(shared.plans, now: now)
    }

    /// A lock another bridge removed is forgotten here too (its owner cleared its topics); one
    /// that came back there is no longer held as removed.
    mutating func removalsRead(_ stored: Set<String>) {
        for text in stored {
            guard let id = LockID(text), !acts(for: id), !removed.contains(id) else { continue }
            if let seq = locks[id]?.bridgeSeq, seq > 0 { bridgeSeqFloor[id] = max(bridgeSeqFloor[id] ?? 0, seq) }
            locks[id] = nil
            dirty.remove(id)
            removed.insert(id)
            infoDue = true
            planBook.due.removeAll { $0.lock == id }
        }
        for id in removed where !stored.contains(id.rawValue) && !acts(for: id) { removed.remove(id) }
    }
}
