import Foundation
import TestSupport

/// One lock count: the relay's runs, then the bridge's, on one stack (broker + emulator); the
/// returned table has this count's rows added.
func measure(count: Int, settings: Settings, adding table: Table) async throws -> Table {
    var table = table
    let started = ContinuousClock.now
    let stack = try await Stack(count: count)
    say("N = \(count): broker on port \(stack.broker.port), emulator ready in \(format(ContinuousClock.now - started))")
    let driver = Driver(client: stack.client, prefix: stack.prefix, settings: settings)
    var relay = Figures()
    var bridge = Figures()

    let relayBase = TestNames.baseTopic("relay")
    let relayProcess = try await stack.startRelay(base: relayBase)
    try await explained(relayProcess, "relay-bench-c") {
        for run in 1...settings.runs {
            let load = CPULoad(stack, subject: relayProcess.pid)
            var cpu = Processes.cpuSeconds(relayProcess.pid) ?? 0
            let t = try await driver.eventThroughput(base: relayBase, lockCount: count)
            relay.load.append(load.finish())
            relay.cpuPerEvent.append(Processes.cpuMicros(relayProcess.pid, since: &cpu, per: t.expected))
            let v = try await driver.commandLatency(base: relayBase, suffix: "setdev", lockCount: count, tag: "rv\(run)")
            relay.cpuPerCommand.append(Processes.cpuMicros(relayProcess.pid, since: &cpu, per: settings.commands + 100))
            let d = try await driver.commandLatency(base: relayBase, suffix: "set", lockCount: count, tag: "rd\(run)", expectOK: false)
            relay.add(t, v)
            relay.directP50.append(d.p50)
            relay.directP99.append(d.p99)
            relay.failedCommands += d.failed
            say("  relay  run \(run): \(Int(t.perSecond)) events/s (\(t.received)/\(t.expected)), command p50 \(Int(v.p50)) p99 \(Int(v.p99)) µs (direct echo p50 \(Int(d.p50)) p99 \(Int(d.p99)) µs)")
        }
    }
    relay.cpuSeconds = Processes.cpuSeconds(relayProcess.pid)
    try await stack.stopChild(relayProcess, "relay")

    let bridgeBase = TestNames.baseTopic("lockbridge")
    let (bridgeProcess, ready) = try await stack.startBridge(base: bridgeBase)
    bridge.ready = ready.seconds
    bridge.idleRSS = Processes.memoryMB(bridgeProcess.pid, "VmRSS")
    bridge.idleHeapMB = Processes.memoryMB(bridgeProcess.pid, "RssAnon")
    say("  bridge ready (\(count) locks online) \(format(ready)) after its start, RSS \(String(format: "%.1f", bridge.idleRSS ?? .nan)) MB")
    let cpuBefore = Processes.cpuSeconds(bridgeProcess.pid)
    try await explained(bridgeProcess, "lockbridge") {
        for run in 1...settings.runs {
            let load = CPULoad(stack, subject: bridgeProcess.pid)
            var cpu = Processes.cpuSeconds(bridgeProcess.pid) ?? 0
            let t = try await driver.eventThroughput(base: bridgeBase, lockCount: count)
            bridge.load.append(load.finish())
            bridge.cpuPerEvent.append(Processes.cpuMicros(bridgeProcess.pid, since: &cpu, per: t.expected))
            let l = try await driver.commandLatency(base: bridgeBase, suffix: "set", lockCount: count, tag: "b\(run)")
            bridge.cpuPerCommand.append(Processes.cpuMicros(bridgeProcess.pid, since: &cpu, per: settings.commands + 100))
            bridge.add(t, l)
            say("  bridge run \(run): \(Int(t.perSecond)) events/s (\(t.received)/\(t.expected)), command p50 \(Int(l.p50)) p99 \(Int(l.p99)) µs")
        }
    }
    bridge.cpuSeconds = Processes.cpuSeconds(bridgeProcess.pid).map { $0 - (cpuBefore ?? 0) }
    // An access plan over every lock (at 1,000 locks only), after its baseline: a script's
    // set_code to every lock, as many in flight as the plan's plan_parallel.
    var planTimes: (plan: Double, status: Double, scripted: Double)?
    if count <= 1_000 {
        try await explained(bridgeProcess, "lockbridge") {
            let scripted = try await driver.scriptedSetCodes(base: bridgeBase, lockCount: count)
            let plan = try await driver.planApply(base: bridgeBase, lockCount: count)
            planTimes = (plan.applied, plan.status, scripted)
            say(String(
                format: "  bridge plan: 1 grant to %d locks in %.2f s (its retained status said so after %.2f s); a script's %d set_code (8 in flight) %.2f s",
                count, plan.applied, plan.status, count, scripted))
        }
    }
    bridge.rssMB = Processes.memoryMB(bridgeProcess.pid, "VmRSS")
    bridge.peakRSS = Processes.memoryMB(bridgeProcess.pid, "VmHWM")
    let heap = Processes.memoryMB(bridgeProcess.pid, "RssAnon") ?? .nan
    let mapped = Processes.memoryMB(bridgeProcess.pid, "RssFile") ?? .nan
    // The bridge trims its heap every 10 s: after one trim the heap is what it holds, not the
    // high-water mark of the last burst. This reading gives the cost per lock below.
    try await Task.sleep(for: .seconds(11))
    let settledHeap = Processes.memoryMB(bridgeProcess.pid, "RssAnon") ?? .nan
    try await stack.stopChild(bridgeProcess, "lockbridge")
    try await stack.stop()

    let n = count.formatted()
    table.row("N=\(n) events/s", median(bridge.throughput), median(relay.throughput), target: 0.8, higherIsBetter: true)
    table.row("N=\(n) command p50 µs", median(bridge.p50), median(relay.p50), target: 1.3, higherIsBetter: false)
    table.row("N=\(n) command p99 µs", median(bridge.p99), median(relay.p99), target: 2.0, higherIsBetter: false)
    table.row("N=\(n) CPU µs per key turn", median(bridge.cpuPerEvent), median(relay.cpuPerEvent), target: nil, higherIsBetter: false)
    table.row("N=\(n) CPU µs per command", median(bridge.cpuPerCommand), median(relay.cpuPerCommand), target: nil, higherIsBetter: false)
    if let planTimes {
        table.row("N=\(n) plan to every lock s (vs script)", planTimes.plan, planTimes.scripted, target: nil, higherIsBetter: false)
        table.note(String(
            format: "  N=%@: plan apply: every lock's applied event after %.2f s, the retained status (at most 1/s) after %.2f s; relay column: a script's set_code to every lock, 8 in flight",
            n, planTimes.plan, planTimes.status))
    }
    table.absolute("N=\(n) bridge ready s (every lock online)", bridge.ready, limit: count >= 10_000 ? 2 : nil, unit: "s")
    table.absolute("N=\(n) bridge RSS MB, after the runs", bridge.rssMB, limit: count >= 10_000 ? 64 : nil)
    table.absolute("N=\(n) bridge RSS MB, peak (VmHWM)", bridge.peakRSS, limit: nil)
    table.note(String(
        format: "  N=%@: relay direct echo (2 broker hops, no lock) p50 %.0f p99 %.0f µs; CPU during runs: bridge %.1f s, relay %.1f s",
        n, median(relay.directP50), median(relay.directP99), bridge.cpuSeconds ?? .nan, relay.cpuSeconds ?? .nan))
    table.note(String(
        format: "  N=%@: bridge RSS idle before the runs %.1f MB; after them %.1f MB anonymous (heap) + %.1f MB file-backed (code); heap %.1f MB 11 s later",
        n, bridge.idleRSS ?? .nan, heap, mapped, settledHeap))
    for (name, f) in [("bridge", bridge), ("relay", relay)] {
        table.note("  N=\(n) CPU while \(name) events ran (% of one core, last run): \(f.load.last ?? "?")")
    }
    for (name, f) in [("bridge", bridge), ("relay", relay)] where f.lost + f.duplicates + f.failedCommands > 0 {
        table.note("  N=\(n) \(name): \(f.lost) events lost, \(f.duplicates) duplicates, \(f.failedCommands) commands without an ok result")
    }
    table.heapAfter[count] = settledHeap
    if count == 10_000, let small = table.heapAfter[1_000], let large = table.heapAfter[10_000] {
        // What one more lock costs: the heap after the same runs with 10,000 locks less that with 1,000.
        table.absolute("bridge heap per lock (10,000 vs 1,000 locks)", (large - small) * 1024 / 9_000, limit: 1.5, unit: "KB")
    }
    return table
}

/// CPU use of every process in the stack over one measurement, as % of one core.
struct CPULoad {
    private let pids: [(String, Int32)]
    private let before: [Int]
    private let started = ContinuousClock.now

    init(_ stack: Stack, subject: Int32) {
        pids = [("subject", subject), ("emulator", stack.emulator.pid), ("broker", stack.broker.pid ?? -1), ("bench", getpid())]
        before = pids.map { Processes.cpuTicks($0.1) ?? 0 }
    }

    func finish() -> String {
        let wall = (ContinuousClock.now - started).seconds
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return zip(pids, before).map { entry, start in
            let used = Double((Processes.cpuTicks(entry.1) ?? start) - start) / ticks
            return "\(entry.0) \(Int((100 * used / wall).rounded()))"
        }.joined(separator: ", ")
    }
}

/// Runs `body`; when it fails, shows the end of `child`'s log first.
func explained(_ child: ChildProcess, _ name: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        say("  \(name) measurement failed; the end of its log:\n\(child.text.suffix(3000))")
        throw error
    }
}

/// Prints at once, also when stdout is a pipe or a file.
func say(_ text: String) {
    print(text)
    fflush(nil)
}

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
