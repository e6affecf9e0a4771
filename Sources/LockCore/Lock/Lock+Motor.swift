import Foundation

/// A bolt move: what the motor (or a key) is asked to do.
enum BoltMove: Sendable {
    case lock, unlock, open

    init(_ command: BoltCommand) { self = command == .lock ? .lock : .unlock }

    var success: AccessEventType {
        switch self {
        case .lock: .lock
        case .unlock: .unlock
        case .open: .open
        }
    }

    var failure: AccessEventType {
        switch self {
        case .lock: .lockFailed
        case .unlock: .unlockFailed
        case .open: .openFailed
        }
    }
}

/// Who is working the bolt, for the event.
struct Actor: Sendable {
    var method: AccessMethod
    var credential: CredentialRef?
    var requestID: String?
}

extension Lock {
    /// Whether the jammed fault blocks electronic ways in from outside: the firmware will not
    /// grind the motor again until someone frees the bolt with a key or the inside button.
    var isJammed: Bool { activeFaults.contains(.jammed) }

    /// Drives the motor; the move completes at once. Returns why it failed, if it did.
    mutating func runMotor(_ move: BoltMove, now: Date, into out: inout [LockOutput]) -> AccessFailureReason? {
        if move == .lock, door.isOpen { return .doorOpen }
        guard battery.canRunMotor else { return .insufficientBattery }
        battery.spendMove()
        if jamPending {
            jamPending = false
            // Spec 3.1: a bolt that jammed is `jammed`, in either direction, until the next
            // successful move; `not_fully_locked` is kept for a bolt that stopped short without a jam.
            state = .jammed
            raise(.jammed, now: now, into: &out)
            return .jammed
        }
        settle(move, now: now, into: &out)
        return nil
    }

    /// Puts the bolt where a successful move leaves it and updates the jam fault and relock timer.
    mutating func settle(_ move: BoltMove, now: Date, into out: inout [LockOutput]) {
        switch move {
        case .lock: state = .locked
        case .unlock: state = .unlocked
        case .open: state = .open
        }
        clear(.jammed, now: now, into: &out)
        if move == .lock {
            relockArmed = false
            relockDue = nil
        } else {
            relockArmed = config.autoRelockSeconds > 0 && mode != .passage
            relockDue = relockArmed && !door.isOpen ? now.addingTimeInterval(TimeInterval(config.autoRelockSeconds)) : nil
        }
    }

    /// Tries a motor move for `actor` and reports it as an access event.
    @discardableResult
    mutating func attempt(_ move: BoltMove, by actor: Actor, now: Date, into out: inout [LockOutput]) -> AccessFailureReason? {
        let failure = runMotor(move, now: now, into: &out)
        report(move, by: actor, failure: failure, now: now, into: &out)
        return failure
    }

    /// Emits the access event for a move that happened or was refused.
    mutating func report(_ move: BoltMove, by actor: Actor, failure: AccessFailureReason?, now: Date, into out: inout [LockOutput]) {
        let event = AccessEvent(
            eventType: failure == nil ? move.success : move.failure, method: actor.method,
            credential: actor.credential, reason: failure, requestID: actor.requestID)
        access(event, now: now, into: &out)
    }
}

extension AccessFailureReason {
    /// The command error for a refused move.
    var commandError: LockError {
        switch self {
        case .wrongCode: .wrongCode
        case .lockout: .lockoutActive
        case .insufficientBattery: .insufficientBattery
        case .jammed: .jammed
        case .doorOpen: .doorOpen
        case .modeForbids: LockError(.modeForbids, "not allowed in the current mode")
        case .unknownFob, .unknownPhone: LockError(.notFound, "unknown credential")
        case .disabled: LockError(.wrongCode, "the code is disabled")
        case .expired: LockError(.wrongCode, "the code has expired")
        case .outsideSchedule: Lock.outsideSchedule
        }
    }
}
