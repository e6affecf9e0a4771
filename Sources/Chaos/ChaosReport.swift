/// What one schedule did and what it lost: one figure line, and whether the guarantees held.
public struct ChaosReport: Sendable {
    public var schedule: ChaosSchedule
    public var seconds: Double
    public var faults = 0
    public var actions = 0
    /// Lock events that exist (each lock's own seq, the emulator's designed skips left out).
    public var lockEvents = 0
    public var missingFromAudit = 0
    public var missingAtSubscriber = 0
    /// Copies of one (source, epoch, seq) with different contents: never allowed.
    public var conflictingDuplicates = 0
    /// Copies of one (source, epoch, seq): allowed, marked by that key.
    public var markedDuplicates = 0
    public var outboxUndelivered: Int64?
    public var commands = 0
    public var actuatedTwice = 0
    /// Seqs the emulator skipped after an unclean stop (designed, not loss).
    public var skippedByDesign = 0
    /// Where a code used in the run appeared as its own token, outside `set` and `sim`.
    public var codeLeaks: [String] = []
    /// Payloads and log lines scanned for the codes.
    public var scanned = 0
    /// A few of the events that went missing, as `lock#seq (where)`, to start looking.
    public var missingExamples: [String] = []

    /// Events the subscriber missed are the broker's loss when it was SIGKILLed; a failure otherwise.
    public var subscriberLossIsBrokers: Bool { schedule.brokerMayLose }

    public var passed: Bool {
        missingFromAudit == 0 && conflictingDuplicates == 0 && outboxUndelivered == 0 && actuatedTwice == 0 && codeLeaks.isEmpty
            && (subscriberLossIsBrokers || missingAtSubscriber == 0) && lockEvents > 0
    }

    public var line: String {
        let subscriber = subscriberLossIsBrokers
            ? "subscriber \(lockEvents - missingAtSubscriber)/\(lockEvents) (\(missingAtSubscriber) lost by the SIGKILLed broker)"
            : "subscriber \(lockEvents - missingAtSubscriber)/\(lockEvents)"
        return "chaos \(schedule.rawValue): \(Int(seconds)) s, \(faults) faults, \(actions) sim actions, \(lockEvents) lock events"
            + " (\(skippedByDesign) seqs skipped by emulator restarts), audit \(lockEvents - missingFromAudit)/\(lockEvents), \(subscriber),"
            + " \(markedDuplicates) marked duplicates, \(conflictingDuplicates) conflicting, outbox_undelivered \(outboxUndelivered.map(String.init) ?? "?"),"
            + " \(commands) commands, \(actuatedTwice) actuated twice, codes found in \(codeLeaks.count) of \(scanned) payloads and log lines:"
            + " \(passed ? "ok" : "FAILED")" + (missingExamples.isEmpty ? "" : "; missing for example \(missingExamples.prefix(8).joined(separator: ", "))")
    }
}
