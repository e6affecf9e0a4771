public import Foundation

extension Lock {
    /// Feeds one input at time `now` and returns what the lock publishes, in order.
    ///
    /// Time-based work (drain, lockout end, door ajar, enrolment timeout, auto-relock) runs first
    /// on every input, so `.tick` only has to exist to make time pass when nothing else happens.
    /// A hung lock still senses the physical world (its watchdog keeps the heartbeat going) but
    /// ignores the keypad, fob, phone, button and every command except `restart`.
    public mutating func handle(_ input: LockInput, now: Date) -> [LockOutput] {
        var out: [LockOutput] = []
        advance(to: now, into: &out)
        if isHung, !input.reachesHungLock { return out }
        switch input {
        case .keypad(let code): keypad(code, now: now, into: &out)
        case .key(let turn): mechanicalKey(turn, now: now, into: &out)
        case .overrideKey: overrideKey(now: now, into: &out)
        case .fob(let id): fob(id, now: now, into: &out)
        case .phone(let id, let command): phone(id, command, now: now, into: &out)
        case .button(let command): button(command, now: now, into: &out)
        case .door(let reading): door(reading, now: now, into: &out)
        case .setBattery(let percent): battery.percent = Battery.clamp(percent)
        case .replaceBattery:
            battery.percent = 100
            system(.batteryReplaced, now: now, into: &out)
        case .backupPower(let connected): backupPower(connected, now: now, into: &out)
        case .wifi(let up): radio(\.wifiUp, up, fault: .wifiDown, now: now, into: &out)
        case .ble(let up): radio(\.bleUp, up, fault: .bleDown, now: now, into: &out)
        case .glitch(let kind): glitch(kind, now: now, into: &out)
        case .tamper:
            tampered = true
            raise(.tamper, now: now, into: &out)
        case .command(let command, let code, let requestID):
            run(command, code: code, requestID: requestID, now: now, into: &out)
        case .tick: break
        }
        // Without power the clock stops; it is not trusted again until it is set (spec 7.1).
        if !isPowered { clockLost = true }
        return out
    }

    /// Runs the timers up to `now`. Time never runs backwards: an older `now` drains nothing.
    mutating func advance(to now: Date, into out: inout [LockOutput]) {
        if let lastTime { battery.idle(seconds: now.timeIntervalSince(lastTime)) }
        if lastTime.map({ now > $0 }) ?? true { lastTime = now }
        if lockout.expire(now: now) { clear(.wrongCodeLimit, now: now, into: &out) }
        if let openedAt = doorOpenedAt, door.isOpen,
            now.timeIntervalSince(openedAt) >= TimeInterval(config.doorAjarSeconds), !activeFaults.contains(.doorAjar)
        {
            if door == .open { door = .ajar }
            raise(.doorAjar, detail: ["seconds": config.doorAjarSeconds], now: now, into: &out)
        }
        guard !isHung else { return }
        if let enrolment, now >= enrolment.until {
            self.enrolment = nil
            out.append(.result(CommandResult(requestID: enrolment.requestID, command: "enroll_fob", error: .timeout)))
        }
        if let due = relockDue, now >= due, !door.isOpen {
            relockArmed = false
            relockDue = nil
            // A dead lock's timer died with it: it does not relock the moment power returns.
            if isPowered, state == .unlocked || state == .open {
                attempt(.lock, by: Actor(method: .auto), now: now, into: &out)
            }
        }
    }
}

extension LockInput {
    /// Whether a hung lock still notices this input: the physical world, and `restart`.
    var reachesHungLock: Bool {
        switch self {
        case .keypad, .fob, .phone, .button: false
        case .command(let command, _, _): command == .restart
        case .key, .overrideKey, .door, .setBattery, .replaceBattery, .backupPower, .wifi, .ble, .glitch, .tamper, .tick:
            true
        }
    }
}
