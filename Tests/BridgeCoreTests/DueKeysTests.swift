@testable import BridgeCore
import LockAPI
import PropertyBased
import Testing

/// The ordered due list behaves as the sorted set it replaced.
@Suite struct DueKeysTests {
    /// (insert, remove or drop a lock's keys; plan; lock) steps.
    static let steps = zip(Gen.int(in: 0...2), Gen.int(in: 0...1), Gen.int(in: 0...30)).array(of: 1...120)

    static func key(_ plan: Int, _ lock: Int) -> PlanKey { PlanKey(plan: ["cleaning", "guests"][plan], lock: LockID("door-\(lock)")!) }

    @Test func itIsTheSortedSetWalkedInOrder() async {
        await propertyCheck(count: 300, input: Self.steps) { steps in
            var due = DueKeys()
            var model = Set<PlanKey>()
            for (op, plan, lock) in steps {
                let key = Self.key(plan, lock)
                switch op {
                case 0: due.insert(key); model.insert(key)
                case 1: due.remove(key); model.remove(key)
                default: due.removeAll { $0.lock == key.lock }; model = model.filter { $0.lock != key.lock }
                }
                #expect(due.keys == model.sorted())
                #expect(due.keys.contains(key) == model.contains(key))
            }
            var walked: [PlanKey] = []
            var next = due.first(after: nil)
            while let key = next {
                walked.append(key)
                next = due.first(after: key)
            }
            #expect(walked == model.sorted())
            // After a key that is not there, the walk goes on from where it would have been.
            let absent = Self.key(1, 99)
            #expect(due.first(after: absent) == model.sorted().first { absent < $0 })
        }
    }
}
