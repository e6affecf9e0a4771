import LockAPI
import LockCore

/// The bridge's safety rules for a command on `<base>/<lock>/set` (spec section 4), each with the
/// error code it answers. They apply in this order, after ``CommandParser`` has refused what the
/// payload alone shows to be wrong (`invalid_json`, `invalid_command`, `invalid_field`,
/// `weak_code`, an `issued_at` that is too old: `expired`) and before anything reaches the lock.
/// The lock itself enforces the rest (`code_required`, `wrong_code`, `lockout_active`, …).
enum SafetyRules {
    /// `not_found`: a lock the bridge does not know gets a rate-limited answer and nothing else.
    static let unknownLock = LockError(.notFound, "no lock with this id is known")

    /// `retained_rejected`: a retained command is never acted on, and is cleared so it cannot
    /// fire later, at the next subscribe.
    static func notRetained(_ message: CommandMessage) -> LockError? {
        message.retained ? LockError(.retainedRejected, "retained commands are never acted on") : nil
    }

    /// `expired`: a command that waited in the session queue while the bridge was away must say
    /// when it was issued, or it could open a door long after anyone wanted that.
    static func freshAfterOutage(_ message: CommandMessage, _ request: CommandRequest) -> LockError? {
        message.queued && request.issuedAt == nil
            ? LockError(.expired, "queued while the bridge was away, with no issued_at to prove it is fresh") : nil
    }

    /// `invalid_field`: `factory_reset` must name the lock it erases in `confirm`.
    static func confirmedReset(_ request: CommandRequest, _ id: LockID) -> LockError? {
        if case .factoryReset(let confirm) = request.action, confirm != id.rawValue {
            return LockError(.invalidField, "confirm must equal the lock id", field: "confirm")
        }
        return nil
    }

    /// `lock_offline`: an offline lock, or one that has not reported its state yet, cannot take
    /// a command.
    static func reachable(_ record: LockRecord) -> LockError? {
        if !record.online { return LockError(.lockOffline, "the lock is offline") }
        if record.snapshot == nil { return LockError(.lockOffline, "the lock has not reported its state yet") }
        return nil
    }

    /// `busy`: one command in flight per lock, up to `queueLimit` waiting; a fob enrolment in
    /// progress answers every other command with busy.
    static func capacity(_ record: LockRecord) -> LockError? {
        guard let pending = record.pending else { return nil }
        guard pending.command != "enroll_fob", record.queue.count < queueLimit else {
            return LockError(.busy, "another command to this lock is in progress")
        }
        return nil
    }

    static let queueLimit = 8
}
