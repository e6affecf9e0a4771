@testable import AuditLog
import Foundation
import Testing

/// Prints rates rather than asserting them: timing on a shared CI machine is not a verdict.
@Suite("Throughput", .serialized)
struct ThroughputTests {
    let count = 10_000

    @Test func appendThenMarkDeliveredOneByOne() throws {
        let directory = try TemporaryDirectory()
        let store = try AuditStore(path: directory.path("audit.sqlite"))
        let payload = Array(String(repeating: "x", count: 200).utf8)
        let elapsed = try ContinuousClock().measure {
            for n in 0..<count {
                let id = try store.append(
                    lock: "lock-\(n % 10_000)", category: "access",
                    topic: "lockbridge/lock-\(n % 10_000)/event", payload: payload,
                    at: t0.addingTimeInterval(Double(n) / 1_000), epoch: 1, seq: Int64(n))
                try store.markDelivered(id)
            }
        }
        report("append + markDelivered, one transaction each", elapsed)
        #expect(try store.counts() == AuditCounts(records: count, undelivered: 0, requests: 0))
    }

    @Test func appendThenMarkDeliveredInBatchesOfAHundred() throws {
        let directory = try TemporaryDirectory()
        let store = try AuditStore(path: directory.path("audit.sqlite"))
        let payload = Array(String(repeating: "x", count: 200).utf8)
        var pending: [Int64] = []
        let elapsed = try ContinuousClock().measure {
            for n in 0..<count {
                pending.append(try store.append(
                    lock: "lock-\(n % 10_000)", category: "access",
                    topic: "lockbridge/lock-\(n % 10_000)/event", payload: payload,
                    at: t0.addingTimeInterval(Double(n) / 1_000), epoch: 1, seq: Int64(n)))
                if pending.count == 100 {
                    try store.markDelivered(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        report("append each + markDelivered per 100", elapsed)
        #expect(try store.counts().undelivered == 0)
    }

    func report(_ what: String, _ elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds)
            + Double(elapsed.components.attoseconds) / 1e18
        let rate = Int(Double(count) / seconds)
        print("AuditLog throughput: \(what): \(count) records in \(elapsed), \(rate) records/s")
    }
}
