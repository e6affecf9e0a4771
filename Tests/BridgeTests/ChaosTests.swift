import Chaos
import Foundation
import Testing

/// The short chaos run of `make test` (`make chaos` runs longer, docs/reliability.md): every
/// fault schedule for a few seconds, against real processes and a broker with persistence.
@Suite struct ChaosTests {
    static let seconds = Double(ProcessInfo.processInfo.environment["CHAOS_TEST_S"] ?? "") ?? 6

    @Test func everyScheduleLosesNothingAndActuatesNothingTwice() async throws {
        for schedule in ChaosSchedule.allCases {
            let report = try await ChaosRun(seconds: Self.seconds).run(schedule)
            print(report.line)
            #expect(report.faults >= 1, "\(schedule.rawValue): no fault was injected")
            #expect(report.lockEvents > 0, "\(schedule.rawValue): no load")
            #expect(report.missingFromAudit == 0, "\(report.line)")
            #expect(report.schedule.brokerMayLose || report.missingAtSubscriber == 0, "\(report.line)")
            #expect(report.conflictingDuplicates == 0 && report.actuatedTwice == 0, "\(report.line)")
            #expect(report.outboxUndelivered == 0, "\(report.line)")
            #expect(report.passed, "\(report.line)")
        }
    }
}
