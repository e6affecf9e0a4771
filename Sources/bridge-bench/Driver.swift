import Histogram
import MQTT

/// The same load for the bridge and for the relay: sim actions into the emulator, commands into
/// `<base>/<lock>/<suffix>`, and what comes back on `<base>/…`.
struct Driver {
    let client: MosquittoClient
    let prefix: String
    let settings: Settings

    struct Throughput {
        var perSecond: Double
        var expected: Int
        var received: Int
        var duplicates: Int
        var lost: Int { expected - received }
    }

    /// Key turns (unlock, lock, unlock, …) over the first `locks` locks, round robin, published
    /// as fast as pipelined QoS 1 allows; timed until every public access event has arrived.
    func eventThroughput(base: String, lockCount: Int) async throws -> Throughput {
        let locks = min(settings.eventLocks, lockCount)
        let rounds = max(2, settings.events / locks / 2 * 2)  // even: every lock ends locked again
        let expected = rounds * locks
        let tally = EventTally(base: base, expected: expected)
        let token = try await client.subscribe("\(base)/+/event/access", options: SubscribeOptions(qos: .atLeastOnce)) {
            tally.record($0)
        }
        defer { client.unsubscribe(token) }
        let turns = [Array(#"{"action":"key","turn":"unlock"}"#.utf8), Array(#"{"action":"key","turn":"lock"}"#.utf8)]
        let topics = (1...locks).map { "\(prefix)/lock-\($0)/sim" }
        let clock = ContinuousClock()
        let start = clock.now
        var receipts: [PublishReceipt] = []
        receipts.reserveCapacity(expected)
        var oldest = 0
        for round in 0..<rounds {
            for topic in topics {
                if receipts.count - oldest >= settings.window {
                    try await receipts[oldest].acknowledged()
                    oldest += 1
                }
                receipts.append(try await client.send(topic, payload: turns[round % 2], qos: .atLeastOnce))
            }
        }
        for receipt in receipts[oldest...] { try await receipt.acknowledged() }
        // Every event, or 15 s without a new one.
        var lastCount = -1
        var quietSince = clock.now
        while tally.completedAt == nil {
            try await Task.sleep(for: .milliseconds(5))
            let now = tally.unique
            if now != lastCount {
                lastCount = now
                quietSince = clock.now
            } else if clock.now - quietSince > .seconds(15) {
                break
            }
        }
        let end = tally.completedAt ?? quietSince
        return Throughput(
            perSecond: Double(tally.unique) / (end - start).seconds, expected: expected, received: tally.unique,
            duplicates: tally.duplicates)
    }

    struct Latency {
        var p50: Double
        var p99: Double
        var failed: Int
    }

    /// Sequential `refresh` commands on random locks; µs from publishing one to its result.
    /// With `expectOK` (every path through the lock) a result without `"status":"ok"` counts as
    /// failed; the relay's direct echo is the command itself, so it has no status.
    func commandLatency(base: String, suffix: String, lockCount: Int, tag: String, expectOK: Bool = true) async throws -> Latency {
        let waiter = ReplyWaiter()
        let token = try await client.subscribe("\(base)/+/result", options: SubscribeOptions(qos: .atLeastOnce)) {
            waiter.deliver($0.payload)
        }
        defer { client.unsubscribe(token) }
        let watchdog = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                waiter.expire(after: .seconds(20))
            }
        }
        defer { watchdog.cancel() }
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var failed = 0
        let warmup = settings.commands / 10
        for i in 0..<(settings.commands + warmup) {
            let id = "\(tag)-\(i)"
            let lock = Int.random(in: 1...lockCount)
            let payload = Array(#"{"command":"refresh","request_id":"\#(id)"}"#.utf8)
            waiter.expect(Array("\"\(id)\"".utf8))
            let start = ContinuousClock.now
            let receipt = try await client.send("\(base)/lock-\(lock)/\(suffix)", payload: payload, qos: .atLeastOnce)
            let arrived = await waiter.wait()
            try await receipt.acknowledged()
            guard let arrived, waiter.succeeded || !expectOK else {
                failed += 1
                continue
            }
            if i >= warmup { _ = histogram.record(UInt64((arrived - start).microseconds)) }
        }
        return Latency(
            p50: Double(histogram.valueAtPercentile(50)), p99: Double(histogram.valueAtPercentile(99)), failed: failed)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
}
