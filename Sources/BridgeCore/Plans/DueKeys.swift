/// The plan standings due for a look, kept in order. ``BridgeMachine/planWork(now:)`` walks
/// them from the first after every answer and snapshot, and stops once `plan_parallel` writes
/// are out. Sorting a plan's every lock at each of those steps cost more than the writes
/// themselves at 1,000 locks (docs/benchmarks.md).
struct DueKeys: Sendable {
    /// In ``PlanKey`` order, once each.
    private(set) var keys: [PlanKey] = []

    var isEmpty: Bool { keys.isEmpty }

    /// Where `key` is, or would go.
    private func position(_ key: PlanKey) -> Int {
        var (low, high) = (0, keys.count)
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    mutating func insert(_ key: PlanKey) {
        let at = position(key)
        if at == keys.count || keys[at] != key { keys.insert(key, at: at) }
    }

    mutating func formUnion(_ more: some Sequence<PlanKey>) {
        for key in more { insert(key) }
    }

    mutating func remove(_ key: PlanKey) {
        let at = position(key)
        if at < keys.count, keys[at] == key { keys.remove(at: at) }
    }

    mutating func removeAll(where drop: (PlanKey) -> Bool) { keys.removeAll(where: drop) }

    /// The first key after `key`, or the first of all when `key` is nil.
    func first(after key: PlanKey?) -> PlanKey? {
        guard let key else { return keys.first }
        var at = position(key)
        if at < keys.count, keys[at] == key { at += 1 }
        return at < keys.count ? keys[at] : nil
    }
}
