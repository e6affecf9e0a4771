import Chaos
import Foundation

/// `make chaos`: every fault schedule for CHAOS_S seconds in all (default 120), one figure line
/// each; exit code 1 when any guarantee did not hold.
@main
enum ChaosMain {
    static func main() async {
        let total = Double(ProcessInfo.processInfo.environment["CHAOS_S"] ?? "") ?? 120
        let only = ProcessInfo.processInfo.environment["CHAOS_SCHEDULES"].map { $0.split(separator: ",").map(String.init) }
        let schedules = ChaosSchedule.allCases.filter { only?.contains($0.rawValue) ?? true }
        let each = max(5, total / Double(schedules.count))
        print("chaos: \(schedules.count) schedules, \(Int(each)) s of faults each, 20 locks, about 40 sim actions/s")
        var failed = false
        for schedule in schedules {
            do {
                let report = try await ChaosRun(seconds: each) { line in print("  \(line)") }.run(schedule)
                print(report.line)
                failed = failed || !report.passed
            } catch {
                print("chaos \(schedule.rawValue): could not run: \(error)")
                failed = true
            }
        }
        exit(failed ? 1 : 0)
    }
}
