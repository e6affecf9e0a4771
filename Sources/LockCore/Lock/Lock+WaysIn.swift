public import Foundation

extension Lock {
    /// Which of the six ways in would open the door right now, and why the others would not.
    ///
    /// A way is usable when trying it with a valid credential would unlock. Reasons are checked
    /// in a fixed order — `not_fitted`, `battery_depleted`, radio down, `lockout` and `mode_forbids` (remote: mode
    /// first, as the command path checks it before the code), `jammed`, `no_credentials` — and the first that applies is reported. `lock_offline` is
    /// the bridge's to add.
    public func waysIn(now: Date) -> AccessReport {
        var ways: [AccessWay: AccessStatus] = [:]
        // The time zone is looked up once for every way and credential.
        let clock = time(now)
        for way in AccessWay.allCases { ways[way] = status(of: way, clock: clock).map(AccessStatus.blocked) ?? .usable }
        return AccessReport(ways: ways)
    }

    private func status(of way: AccessWay, clock: LockTime) -> AccessBlockReason? {
        let now = clock.now
        let motor = battery.canRunMotor
        let lockedOut = lockout.isActive(at: now)
        switch way {
        case .mechanicalKey:
            return credentials.mechanicalKeyFitted ? nil : .notFitted
        case .override:
            if credentials.overrideKeyFitted { return nil }
            guard credentials.overrideCodeSet else { return .notFitted }
            return !motor ? .batteryDepleted : isJammed ? .jammed : nil
        case .remote:
            if !motor { return .batteryDepleted }
            if !wifiUp { return .wifiDown }
            if mode == .noRemote || mode == .privacy { return .modeForbids }
            if config.requireCodeForRemote, lockedOut { return .lockout }
            if isJammed { return .jammed }
            let haveCode = credentials.hasUsablePin(at: clock) || credentials.overrideCodeSet
            return config.requireCodeForRemote && !haveCode ? pinReason(clock) : nil
        case .keypad:
            if !motor { return .batteryDepleted }
            if lockedOut { return .lockout }
            if mode == .privacy || mode == .vacation { return .modeForbids }
            if isJammed { return .jammed }
            if credentials.hasUsablePin(at: clock) { return nil }
            return pinReason(clock)
        case .blePhone:
            if !motor { return .batteryDepleted }
            if !bleUp { return .bleDown }
            if mode == .privacy { return .modeForbids }
            if isJammed { return .jammed }
            if credentials.phones.contains(where: { $0.refusal(at: clock) == nil }) { return nil }
            return credentialReason(credentials.phones.contains { $0.refusal(at: clock) == .outsideSchedule })
        case .fob:
            if !motor { return .batteryDepleted }
            if mode == .privacy { return .modeForbids }
            if isJammed { return .jammed }
            if credentials.fobs.contains(where: { $0.refusal(at: clock) == nil }) { return nil }
            return credentialReason(credentials.fobs.contains { $0.refusal(at: clock) == .outsideSchedule })
        }
    }

    /// No usable keypad code (duress codes are not counted).
    private func pinReason(_ clock: LockTime) -> AccessBlockReason {
        credentialReason(credentials.pins.contains { $0.use != .duress && $0.refusal(at: clock) == .outsideSchedule })
    }

    /// No usable credential: `outside_schedule` when some would work but for their windows
    /// (closed now, or not yet begun), `no_credentials` otherwise.
    private func credentialReason(_ waitingForAWindow: Bool) -> AccessBlockReason { waitingForAWindow ? .outsideSchedule : .noCredentials }
}
