import Foundation
import JSON
import LockAPI
import Locking
import MQTT

/// Applying an access plan to every lock (spec 7.2), against its baseline in the same run: the
/// same code written to every lock by a script, as 1,000 `set_code` commands with as many in
/// flight as the plan's `plan_parallel` (8).
extension Driver {
    /// Seconds from publishing `plan/apply` (one grant, every lock) until every lock's
    /// `applied` event has arrived, and until the retained status (at most one a second) said so.
    func planApply(base: String, lockCount: Int) async throws -> (applied: Double, status: Double) {
        let start = ContinuousClock.now
        let marks = Locked((applied: Set<Int>(), appliedAt: ContinuousClock.Instant?.none, statusAt: ContinuousClock.Instant?.none))
        let event = Array(#""event_type":"applied""#.utf8)
        let eventToken = try await client.subscribe("\(base)/bridge/event/plan", options: SubscribeOptions(qos: .atLeastOnce)) { message in
            guard Payload.contains(message.payload, event) else { return }
            let id = Self.lockNumber(message.payload)
            marks.withLock { m in
                if let id { m.applied.insert(id) }
                if m.applied.count == lockCount && m.appliedAt == nil { m.appliedAt = ContinuousClock.now }
            }
        }
        defer { client.unsubscribe(eventToken) }
        let statusToken = try await client.subscribe("\(base)/bridge/plan/bench", options: SubscribeOptions(qos: .atLeastOnce)) { message in
            let limits = JSONLimits(maxBytes: 64 << 20, maxDepth: 8)
            let inSync = (try? JSON.parseObject(message.payload, limits: limits))?["summary"]?.objectValue?["in_sync"]?.intValue
            if inSync == Int64(lockCount) { marks.withLock { if $0.statusAt == nil { $0.statusAt = ContinuousClock.now } } }
        }
        defer { client.unsubscribe(statusToken) }
        let locks = (1...lockCount).map { "\"lock-\($0)\"" }.joined(separator: ",")
        let body = """
            {"plan": {"name": "bench", "grants": [{"name": "Cleaner", "code": "305817", "locks": [\(locks)]}]},
             "issued_at": "\(RFC3339.format(Date()))", "request_id": "bench-plan"}
            """
        try await client.publish("\(base)/bridge/request/plan/apply", payload: Array(body.utf8), qos: .atLeastOnce)
        while true {
            let (applied, status) = marks.withLock { ($0.appliedAt, $0.statusAt) }
            if let applied, let status { return ((applied - start).seconds, (status - start).seconds) }
            guard ContinuousClock.now - start < .seconds(300) else { throw BenchFailure("the plan did not reach every lock within 300 s") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The N of `"lock":"lock-N"` in an event.
    static func lockNumber(_ payload: [UInt8]) -> Int? {
        let key = Array(#""lock":"lock-"#.utf8)
        return Payload.firstIndex(of: key, in: payload).flatMap { Payload.digits(in: payload, from: $0 + key.count) }
    }

    /// Seconds for a script to write one code to every lock, `window` commands in flight.
    func scriptedSetCodes(base: String, lockCount: Int, window: Int = 8) async throws -> Double {
        let (results, arrived) = AsyncStream.makeStream(of: Bool.self)
        let prefix = Array(#""request_id":"sc-"#.utf8)
        let ok = Array(#""status":"ok""#.utf8)
        let token = try await client.subscribe("\(base)/+/result", options: SubscribeOptions(qos: .atLeastOnce)) { message in
            if Payload.contains(message.payload, prefix) { arrived.yield(Payload.contains(message.payload, ok)) }
        }
        defer { client.unsubscribe(token) }
        var answers = results.makeAsyncIterator()
        let start = ContinuousClock.now
        var outstanding = 0
        var failed = 0
        for lock in 1...lockCount {
            if outstanding >= window {
                if await answers.next() == false { failed += 1 }
                outstanding -= 1
            }
            let payload = #"{"command":"set_code","slot":200,"name":"Scripted","code":"482916","request_id":"sc-\#(lock)"}"#
            try await client.publish("\(base)/lock-\(lock)/set", payload: Array(payload.utf8), qos: .atLeastOnce)
            outstanding += 1
        }
        while outstanding > 0 {
            if await answers.next() == false { failed += 1 }
            outstanding -= 1
        }
        if failed > 0 { throw BenchFailure("\(failed) scripted set_code commands failed") }
        return (ContinuousClock.now - start).seconds
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
