import Foundation

extension Lock {
    /// Runs one command; every path appends exactly one result, except `enroll_fob`, whose result
    /// comes when a fob is enrolled or the window closes. A dead lock answers nothing.
    mutating func run(_ command: LockCommand, code: CodeHash?, requestID: String, now: Date, into out: inout [LockOutput]) {
        guard isPowered else { return }
        var error: LockError?
        func finish() { out.append(.result(CommandResult(requestID: requestID, command: command.name, error: error))) }
        if enrolment != nil, !(isHung && command == .restart) {
            error = .busy
            return finish()
        }
        // The mode is checked before the code, so a refused move never counts as a wrong code.
        if let move = command.boltMove, let refusal = remoteRefusal(move) {
            report(move, by: Actor(method: .remote, requestID: requestID), failure: refusal, now: now, into: &out)
            error = refusal == .modeForbids ? .modeForbids(mode) : refusal.commandError
            return finish()
        }
        var authorised: RemoteAuthorisation?
        // Acknowledging a duress alert always needs a code, whatever the lock's setting.
        if command.needsRemoteCode, config.requireCodeForRemote || command == .ackDuress {
            switch checkRemoteCode(code, command: command, requestID: requestID, now: now, into: &out) {
            case .failure(let refusal):
                error = refusal
                return finish()
            case .success(let authorisation): authorised = authorisation
            }
        }
        switch command {
        case .lock: error = remoteMove(.lock, requestID: requestID, now: now, into: &out)
        case .unlock, .open:
            error = remoteMove(command.boltMove!, requestID: requestID, oneTimeSlot: authorised?.oneTimeSlot, now: now, into: &out)
        case .setCode(let slot, let name, let hash, let validUntil, let replace, let rules, let plan):
            error = setCode(
                slot: slot, name: name, hash: hash, validUntil: validUntil, replace: replace, rules: rules, plan: plan, requestID: requestID,
                now: now, into: &out)
        case .clearCode(let slot, let plan): error = clearCode(slot: slot, plan: plan, requestID: requestID, now: now, into: &out)
        case .enableCode(let slot): error = setEnabled(true, slot: slot, requestID: requestID, now: now, into: &out)
        case .disableCode(let slot): error = setEnabled(false, slot: slot, requestID: requestID, now: now, into: &out)
        case .enrollFob(let name, let slot, let rules, let validUntil):
            error = enrollFob(name: name, slot: slot, rules: rules, validUntil: validUntil, requestID: requestID, now: now, into: &out)
            if error == nil { return }  // the result comes with the tap or the timeout
        case .revokeFob(let slot): error = revokeFob(slot: slot, requestID: requestID, now: now, into: &out)
        case .addPhone(let id, let name, let rules, let validUntil):
            error = addPhone(id: id, name: name, rules: rules, validUntil: validUntil, requestID: requestID, now: now, into: &out)
        case .revokePhone(let id): error = revokePhone(id: id, requestID: requestID, now: now, into: &out)
        case .setOverrideCode(let hash): error = setOverrideCode(hash, requestID: requestID, now: now, into: &out)
        case .setMode(let newMode): error = setMode(newMode, requestID: requestID, now: now, into: &out)
        case .setConfig(let patch): error = setConfig(patch, now: now, into: &out)
        case .restart:
            reboot(detail: "restart_command", now: now, into: &out)
            tampered = false
            clear(.tamper, now: now, into: &out)
        case .factoryReset: factoryReset(now: now, into: &out)
        case .refresh, .ping, .claim: break
        case .setClock: clockLost = nil
        case .ackDuress: error = acknowledgeDuress(now: now, into: &out)
        }
        finish()
    }

    /// What a remote code turned out to be, once accepted.
    struct RemoteAuthorisation {
        /// The slot of a `one_time` code, used up by the move it authorised.
        var oneTimeSlot: Int?
    }

    /// Checks the code a remote command carries (spec section 4). Only an unrestricted code that
    /// is usable now, or the override code, authorises everything; a `scheduled` or `one_time`
    /// code only `unlock`/`open`, inside its windows; a `duress` code only `unlock`/`open`,
    /// raising the duress alert. A wrong code counts toward the wrong-code limit; a right code
    /// used outside its windows, or for more than it may do, does not.
    mutating func checkRemoteCode(
        _ code: CodeHash?, command: LockCommand, requestID: String, now: Date, into out: inout [LockOutput]
    ) -> Result<RemoteAuthorisation, LockError> {
        let move = command.boltMove.flatMap { $0 == .lock ? nil : $0 }
        let actor = Actor(method: .remote, requestID: requestID)
        let index = code.flatMap { credentials.pinIndex(matching: $0) }
        // The duress alarm goes off whenever the code is used, even when a lockout refuses it.
        if let index, credentials.pins[index].use == .duress { duressAlert(slot: credentials.pins[index].slot, now: now, into: &out) }
        if lockout.isActive(at: now) {
            if let move { report(move, by: actor, failure: .lockout, now: now, into: &out) }
            return .failure(.lockoutActive)
        }
        guard let code else { return .failure(.codeRequired) }
        if credentials.isOverride(code) { return .success(RemoteAuthorisation()) }
        guard let index else {
            if let move { report(move, by: actor, failure: .wrongCode, now: now, into: &out) }
            countWrongCode(now: now, into: &out)
            return .failure(.wrongCode)
        }
        let pin = credentials.pins[index]
        let refusal = pin.refusal(at: time(now))
        let mayDoIt = pin.use == .unrestricted || move != nil
        guard refusal == nil, mayDoIt else {
            if let move { report(move, by: actor, failure: refusal ?? .wrongCode, now: now, into: &out) }
            // A known code is no guess: it never counts toward the lockout.
            return .failure(refusal == .outsideSchedule ? Self.outsideSchedule : .wrongCode)
        }
        credentials.pins[index].lastUsedAt = now
        lockout.recordSuccess()
        return .success(RemoteAuthorisation(oneTimeSlot: pin.use == .oneTime ? pin.slot : nil))
    }

    static let outsideSchedule = LockError(.wrongCode, "the code works only inside its windows")

    /// Why a remote move is refused before the motor: `no_remote` refuses all three, `privacy`
    /// unlock and open; a jammed bolt refuses all electronic ways from outside.
    func remoteRefusal(_ move: BoltMove) -> AccessFailureReason? {
        if mode == .noRemote || (mode == .privacy && move != .lock) { return .modeForbids }
        return isJammed ? .jammed : nil
    }

    /// Remote lock/unlock/open, once mode, jam and code have been checked.
    mutating func remoteMove(
        _ move: BoltMove, requestID: String, oneTimeSlot: Int? = nil, now: Date, into out: inout [LockOutput]
    ) -> LockError? {
        let actor = Actor(method: .remote, requestID: requestID)
        guard let oneTimeSlot else { return attempt(move, by: actor, now: now, into: &out)?.commandError }
        return usingOnce(slot: oneTimeSlot, requestID: requestID, now: now, into: &out) { lock, out in
            lock.attempt(move, by: actor, now: now, into: &out)
        }?.commandError
    }

    /// Changes mode; entering `passage` unlocks first and fails if the bolt cannot move.
    mutating func setMode(_ newMode: LockMode, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        guard newMode != mode else { return nil }
        if newMode == .passage, state != .unlocked, state != .open {
            if let failure = attempt(.unlock, by: Actor(method: .remote, requestID: requestID), now: now, into: &out) {
                return failure.commandError
            }
        }
        mode = newMode
        if mode == .passage {
            relockArmed = false
            relockDue = nil
        }
        system(.modeChanged, detail: newMode.rawValue, now: now, into: &out)
        return nil
    }

    /// Applies settings. Requiring a code is refused while no code exists that could satisfy it,
    /// or nobody could change anything remotely any more.
    mutating func setConfig(_ patch: LockConfigPatch, now: Date, into out: inout [LockOutput]) -> LockError? {
        if patch.requireCodeForRemote == true, !config.requireCodeForRemote,
            !credentials.hasUsablePin(at: time(now)), !credentials.overrideCodeSet
        {
            return .invalidField("require_code_for_remote", "set a code or the override code first")
        }
        switch config.apply(patch) {
        case .failure(let error): return error
        case .success(let changed):
            guard !changed.isEmpty else { return nil }
            system(.configChanged, detail: changed.joined(separator: ","), now: now, into: &out)
            return nil
        }
    }

    /// Wipes credentials, settings, mode and lockout; the physical world (bolt, door, battery,
    /// radios, fitted keys, tamper) stays. A new epoch starts and `factory_reset` is its seq 1.
    mutating func factoryReset(now: Date, into out: inout [LockOutput]) {
        clear(.wrongCodeLimit, now: now, into: &out)
        credentials = Credentials(
            mechanicalKeyFitted: credentials.mechanicalKeyFitted, overrideKeyFitted: credentials.overrideKeyFitted)
        config = LockConfig()
        mode = .normal
        lockout = Lockout()
        relockArmed = false
        relockDue = nil
        lastAccess = nil
        epoch += 1
        seq = 0
        system(.factoryReset, now: now, into: &out)
    }
}
