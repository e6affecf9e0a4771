import Foundation

/// Every run's figures for one subject (the bridge or the relay) at one lock count.
struct Figures {
    var throughput: [Double] = []
    var lost = 0
    var duplicates = 0
    var p50: [Double] = []
    var p99: [Double] = []
    var failedCommands = 0
    /// The relay only: commands echoed at once as results, without the lock (2 broker hops, not 4).
    var directP50: [Double] = []
    var directP99: [Double] = []
    /// CPU seconds (user + system) the subject used during its runs.
    var cpuSeconds: Double?
    var idleRSS: Double?
    var rssMB: Double?
    var peakRSS: Double?
    /// Each throughput run's CPU use per process (`CPULoad`).
    var load: [String] = []
    /// CPU µs the subject spent per key turn (events runs) and per command (command runs).
    var cpuPerEvent: [Double] = []
    var cpuPerCommand: [Double] = []
    /// Seconds from starting the bridge until every lock was online on the public API.
    var ready: Double?
    var idleHeapMB: Double?
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// The table at the end: one row per lock count and metric.
struct Table {
    private(set) var lines: [String] = []
    private(set) var missed = 0
    /// The bridge's heap after the runs (MB) by lock count, for the cost of one lock.
    var heapAfter: [Int: Double] = [:]

    init() {
        lines.append(
            "metric".padding(toLength: 46, withPad: " ", startingAt: 0)
                + "      bridge       relay    ratio   target    ")
        lines.append(String(repeating: "-", count: 100))
    }

    /// A compared row; `better` says whether a higher ratio is better (throughput) or worse.
    mutating func row(_ name: String, _ bridge: Double, _ relay: Double?, target: Double?, higherIsBetter: Bool) {
        let ratio = relay.map { bridge / $0 }
        var verdict = "(info)"
        var targetText = "-"
        if let target, let ratio {
            let met = higherIsBetter ? ratio >= target : ratio <= target
            if !met { missed += 1 }
            verdict = met ? "met" : "MISSED"
            targetText = (higherIsBetter ? ">= " : "<= ") + String(format: "%.2f", target)
        }
        lines.append(
            name.padding(toLength: 46, withPad: " ", startingAt: 0)
                + String(format: "%12.1f", bridge)
                + (relay.map { String(format: "%12.1f", $0) } ?? String(repeating: " ", count: 11) + "-")
                + (ratio.map { String(format: "%9.2f", $0) } ?? "        -")
                + "   " + targetText.padding(toLength: 9, withPad: " ", startingAt: 0) + verdict)
    }

    /// An absolute row (the RSS budget, the start-up time), in `unit`.
    mutating func absolute(_ name: String, _ value: Double?, limit: Double?, unit: String = "MB") {
        var verdict = "(info)"
        var targetText = "-"
        if let limit {
            let met = (value ?? .infinity) <= limit
            if !met { missed += 1 }
            verdict = met ? "met" : "MISSED"
            targetText = "<= \(limit.formatted()) \(unit)"
        }
        lines.append(
            name.padding(toLength: 46, withPad: " ", startingAt: 0)
                + (value.map { String(format: "%12.1f", $0) } ?? "           ?")
                + String(repeating: " ", count: 11) + "-" + "        -"
                + "   " + targetText.padding(toLength: 10, withPad: " ", startingAt: 0) + verdict)
    }

    mutating func note(_ text: String) { lines.append(text) }
}
