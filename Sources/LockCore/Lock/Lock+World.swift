import Foundation

extension Lock {
    mutating func door(_ reading: DoorInput, now: Date, into out: inout [LockOutput]) {
        switch reading {
        case .closed:
            guard door != .closed else { return }
            door = .closed
            doorOpenedAt = nil
            clear(.doorForcedOpen, now: now, into: &out)
            clear(.doorAjar, now: now, into: &out)
            // The latch held back by `open` springs back once the door shuts.
            if state == .open { state = .unlocked }
            if relockArmed { relockDue = now.addingTimeInterval(TimeInterval(config.autoRelockSeconds)) }
        case .open, .forcedOpen:
            let forced = reading == .forcedOpen || state == .locked
            if !door.isOpen { doorOpenedAt = now }
            if forced {
                door = .forcedOpen
                raise(.doorForcedOpen, now: now, into: &out)
            } else if !door.isOpen {
                door = .open
            }
        }
    }

    mutating func backupPower(_ connected: Bool, now: Date, into out: inout [LockOutput]) {
        guard battery.backupPower != connected else { return }
        battery.backupPower = connected
        system(connected ? .backupPowerConnected : .backupPowerRemoved, now: now, into: &out)
    }

    mutating func radio(_ flag: WritableKeyPath<Lock, Bool>, _ up: Bool, fault: FaultCode, now: Date, into out: inout [LockOutput]) {
        self[keyPath: flag] = up
        if up { clear(fault, now: now, into: &out) } else { raise(fault, now: now, into: &out) }
    }

    mutating func glitch(_ kind: GlitchKind, now: Date, into out: inout [LockOutput]) {
        switch kind {
        case .jam: jamPending = true
        case .hang: isHung = true
        case .crash:
            raise(.firmwareCrash, now: now, into: &out)
            reboot(detail: "firmware_crash", now: now, into: &out)
            clear(.firmwareCrash, now: now, into: &out)
        }
    }

    /// A power cycle: the hang, a pending auto-relock and an open enrolment end (that command
    /// gets `timeout`), then `restarted`. Lockout, credentials, radios and a pending jam survive:
    /// rebooting must not be a way round a lockout.
    mutating func reboot(detail: String, now: Date, into out: inout [LockOutput]) {
        isHung = false
        relockArmed = false
        relockDue = nil
        if let enrolment {
            self.enrolment = nil
            out.append(.result(CommandResult(requestID: enrolment.requestID, command: "enroll_fob", error: .timeout)))
        }
        system(.restarted, detail: detail, now: now, into: &out)
    }
}
