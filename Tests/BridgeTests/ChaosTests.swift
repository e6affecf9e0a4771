@testable import Chaos
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
            #expect(report.codeLeaks.isEmpty && report.scanned > 1000, "\(report.line): \(report.codeLeaks.prefix(5))")
            #expect(report.passed, "\(report.line)")
        }
    }
}

/// The scan itself finds a code where it should, and only as its own token.
@Suite struct ChaosScanTests {
    @Test func aCodeIsFoundAsATokenButNotInsideALongerNumber() {
        var scanned = 0
        let logs = "ok 1604817 counter\nbad code=604817 here\n6048170 is fine"
        #expect(ChaosAudit.leaks(of: ["604817"], messages: [], logs: logs, into: &scanned) == ["log line 2"])
        #expect(scanned == 3)
    }
}
