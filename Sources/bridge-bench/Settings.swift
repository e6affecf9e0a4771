import Foundation

/// What `make bench` measures; every figure can be changed through the environment.
struct Settings {
    /// Emulated locks, one stack (broker + emulator) each.
    var counts = [1_000, 10_000]
    /// Runs of every measurement per subject; the table shows the median.
    var runs = 3
    /// Sim actions (each one access event) per throughput run.
    var events = 10_000
    /// How many locks the sim actions are spread over (at most the lock count).
    var eventLocks = 1_000
    /// Sequential commands per latency run (plus 10 % warm-up that is not recorded).
    var commands = 1_000
    /// Unacknowledged QoS 1 sim actions the driver keeps in flight.
    var window = 512

    static func fromEnvironment() -> Settings {
        let env = ProcessInfo.processInfo.environment
        var s = Settings()
        if let text = env["BENCH_COUNTS"] {
            let counts = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            if !counts.isEmpty { s.counts = counts }
        }
        s.runs = env["BENCH_RUNS"].flatMap { Int($0) } ?? s.runs
        s.events = env["BENCH_EVENTS"].flatMap { Int($0) } ?? s.events
        s.eventLocks = env["BENCH_EVENT_LOCKS"].flatMap { Int($0) } ?? s.eventLocks
        s.commands = env["BENCH_COMMANDS"].flatMap { Int($0) } ?? s.commands
        return s
    }
}
