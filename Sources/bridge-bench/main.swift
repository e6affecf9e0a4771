// `make bench`: the bridge (`lockbridge run`) against a minimal C relay, on one private broker
// with one `lock-emulator --count N`, same driver, same run. See README.md, "Benchmarks".
import Foundation
import TestSupport

setvbuf(stdout, nil, _IOLBF, 0)  // progress lines show up at once, also in a log file
let settings = Settings.fromEnvironment()
print("""
    bridge benchmark: \(settings.runs) runs of every measurement per subject and lock count; the table shows medians.
    Per lock count: one private mosquitto, one release lock-emulator --count N (heartbeat 30 s, sim on,
    64 hash iterations). The relay's runs come first, then the bridge's, never both at once.
      events/s     bench -> <prefix>/<lock>/sim (key unlock/lock, QoS 1, \(settings.window) in flight, \
    \(settings.events) actions over \(settings.eventLocks) locks)
                   -> emulator -> <prefix>/<lock>/event -> SUBJECT -> <base>/<lock>/event/access -> bench,
                   timed from the first sim publish until every event (counted by lock + seq) has arrived.
                   The bridge also verifies order, writes the audit log and publishes state; the relay
                   only forwards the payload to another topic.
      command      \(settings.commands) sequential {"command":"refresh"} on random locks, publish -> result (µs):
                   bridge:              bench -> broker -> bridge -> broker -> emulator (HMAC check, ack)
                                        -> broker -> bridge (result, dedupe record) -> broker -> bench
                   relay (direct):      bench -> broker -> relay -> broker -> bench (2 broker hops, not 4)
                   relay via emulator:  the relay signs a device command, the emulator acks, the relay
                                        publishes the ack as the result (the same 4 hops as the bridge)

    """)

var table = Table()
for count in settings.counts {
    let started = ContinuousClock.now
    let stack = try await Stack(count: count)
    print("N = \(count): broker on port \(stack.broker.port), emulator ready in \(format(ContinuousClock.now - started))")
    let driver = Driver(client: stack.client, prefix: stack.prefix, settings: settings)
    var relay = Figures()
    var bridge = Figures()

    let relayBase = TestNames.baseTopic("relay")
    let relayProcess = try await stack.startRelay(base: relayBase)
    for run in 1...settings.runs {
        let t = try await driver.eventThroughput(base: relayBase, lockCount: count)
        let l = try await driver.commandLatency(base: relayBase, suffix: "set", lockCount: count, tag: "rd\(run)")
        let v = try await driver.commandLatency(base: relayBase, suffix: "setdev", lockCount: count, tag: "rv\(run)")
        relay.add(t, l)
        relay.viaLockP50.append(v.p50)
        relay.viaLockP99.append(v.p99)
        relay.failedCommands += v.failed
        print("  relay  run \(run): \(Int(t.perSecond)) events/s (\(t.received)/\(t.expected)), direct p50 \(l.p50) p99 \(l.p99) µs, via emulator p50 \(v.p50) p99 \(v.p99) µs")
    }
    try await stack.stopChild(relayProcess, "relay")

    let bridgeStart = ContinuousClock.now
    let bridgeBase = TestNames.baseTopic("lockbridge")
    let bridgeProcess = try await stack.startBridge(base: bridgeBase)
    print("  bridge ready (\(count) locks online, idle) in \(format(ContinuousClock.now - bridgeStart)), RSS \(String(format: "%.1f", Processes.rssMB(bridgeProcess.pid) ?? .nan)) MB")
    for run in 1...settings.runs {
        let t = try await driver.eventThroughput(base: bridgeBase, lockCount: count)
        let l = try await driver.commandLatency(base: bridgeBase, suffix: "set", lockCount: count, tag: "b\(run)")
        bridge.add(t, l)
        print("  bridge run \(run): \(Int(t.perSecond)) events/s (\(t.received)/\(t.expected)), p50 \(l.p50) p99 \(l.p99) µs")
    }
    bridge.rssMB = Processes.rssMB(bridgeProcess.pid)
    try await stack.stopChild(bridgeProcess, "lockbridge")
    try await stack.stop()

    let n = count.formatted()
    table.row("N=\(n) events/s", median(bridge.throughput), median(relay.throughput), target: 0.8, higherIsBetter: true)
    table.row("N=\(n) command p50 µs", median(bridge.p50), median(relay.p50), target: 1.3, higherIsBetter: false)
    table.row("N=\(n) command p99 µs", median(bridge.p99), median(relay.p99), target: nil, higherIsBetter: false)
    table.row("N=\(n) p50 vs relay via emulator", median(bridge.p50), median(relay.viaLockP50), target: nil, higherIsBetter: false)
    table.row("N=\(n) p99 vs relay via emulator", median(bridge.p99), median(relay.viaLockP99), target: nil, higherIsBetter: false)
    table.absolute("N=\(n) bridge RSS MB (after runs)", bridge.rssMB, limit: count >= 10_000 ? 64 : nil)
    for (name, f) in [("bridge", bridge), ("relay", relay)] where f.lost + f.duplicates + f.failedCommands > 0 {
        table.note("  N=\(n) \(name): \(f.lost) events lost, \(f.duplicates) duplicates, \(f.failedCommands) commands without a result")
    }
}
print("\nmedians of \(settings.runs) runs (relay = C libmosquitto relay, same broker, same emulator, same driver)")
for line in table.lines { print(line) }
print(table.missed == 0 ? "\nevery target met" : "\n\(table.missed) target(s) MISSED")

func format(_ d: Duration) -> String { String(format: "%.1f s", d.seconds) }

extension Figures {
    mutating func add(_ t: Driver.Throughput, _ l: Driver.Latency) {
        throughput.append(t.perSecond)
        lost += t.lost
        duplicates += t.duplicates
        p50.append(l.p50)
        p99.append(l.p99)
        failedCommands += l.failed
    }
}
