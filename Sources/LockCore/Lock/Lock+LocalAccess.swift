import Foundation

extension Lock {
    /// The mechanical key: no power, any mode, during lockout; frees a jammed bolt. A pending
    /// jam glitch waits for the next motor move.
    mutating func mechanicalKey(_ turn: BoltCommand, now: Date, into out: inout [LockOutput]) {
        guard credentials.mechanicalKeyFitted else { return }  // no cylinder: nothing to turn
        let move = BoltMove(turn)
        settle(move, now: now, into: &out)
        report(move, by: Actor(method: .mechanicalKey, credential: CredentialRef(type: .key)), failure: nil, now: now, into: &out)
    }

    /// The hidden override keyhole: like the mechanical key, and it always unlocks.
    mutating func overrideKey(now: Date, into out: inout [LockOutput]) {
        guard credentials.overrideKeyFitted else { return }
        settle(.unlock, now: now, into: &out)
        report(.unlock, by: Actor(method: .overrideKey, credential: CredentialRef(type: .override)), failure: nil, now: now, into: &out)
    }

    /// The inside button: needs the motor, works in every mode and during lockout, and retries a
    /// jammed bolt.
    mutating func button(_ command: BoltCommand, now: Date, into out: inout [LockOutput]) {
        guard isPowered else { return }
        attempt(BoltMove(command), by: Actor(method: .button), now: now, into: &out)
    }

    /// A typed code unlocks. The override code works in every mode and during lockout; a PIN is
    /// refused during lockout and in privacy, and in vacation. Only codes matching nothing count
    /// toward the wrong-code limit. A duress code raises its silent alert whenever it is typed,
    /// even when it is refused, and otherwise behaves exactly like any other code; a `one_time`
    /// code is used up by the unlock it makes; a code outside its windows is `outside_schedule`.
    mutating func keypad(_ code: PlainCode, now: Date, into out: inout [LockOutput]) {
        guard isPowered else { return }  // dark keypad
        let hash = hash(code: code.value)
        if credentials.isOverride(hash) {
            let actor = Actor(method: .overrideCode, credential: CredentialRef(type: .override))
            if isJammed { return report(.unlock, by: actor, failure: .jammed, now: now, into: &out) }
            if attempt(.unlock, by: actor, now: now, into: &out) == nil { lockout.recordSuccess() }
            return
        }
        let index = credentials.pinIndex(matching: hash)
        if let index, credentials.pins[index].use == .duress { duressAlert(slot: credentials.pins[index].slot, now: now, into: &out) }
        var actor = Actor(method: .keypad, credential: CredentialRef(type: .pin))
        if lockout.isActive(at: now) { return report(.unlock, by: actor, failure: .lockout, now: now, into: &out) }
        if mode == .privacy { return report(.unlock, by: actor, failure: .modeForbids, now: now, into: &out) }
        guard let index else {
            report(.unlock, by: actor, failure: .wrongCode, now: now, into: &out)
            countWrongCode(now: now, into: &out)
            return
        }
        let pin = credentials.pins[index]
        actor.credential = reference(pin)
        let refusal: AccessFailureReason? =
            mode == .vacation ? .modeForbids
            : pin.refusal(at: time(now)) ?? (isJammed ? .jammed : nil)
        if let refusal { return report(.unlock, by: actor, failure: refusal, now: now, into: &out) }
        let failure =
            pin.use == .oneTime
            ? usingOnce(slot: pin.slot, requestID: nil, now: now, into: &out) { lock, out in lock.attempt(.unlock, by: actor, now: now, into: &out) }
            : attempt(.unlock, by: actor, now: now, into: &out)
        if failure == nil {
            lockout.recordSuccess()
            if let slot = credentials.pinIndex(slot: pin.slot) { credentials.pins[slot].lastUsedAt = now }
        }
    }

    /// Counts a wrong code (keypad or remote) and starts a lockout at the limit.
    mutating func countWrongCode(now: Date, into out: inout [LockOutput]) {
        let base = config.lockoutSeconds
        let seconds = lockout.nextDuration(base: base)
        if lockout.recordFailure(limit: config.wrongCodeLimit, base: base, now: now) {
            raise(.wrongCodeLimit, detail: ["lockout_s": seconds], now: now, into: &out)
        }
    }

    /// A fob tap unlocks; during enrolment an unknown fob is enrolled instead.
    mutating func fob(_ fobID: String, now: Date, into out: inout [LockOutput]) {
        guard isPowered, !fobID.isEmpty else { return }
        guard let index = credentials.fobIndex(fobID: fobID) else {
            if let enrolment { return enrol(fobID, enrolment, now: now, into: &out) }
            return report(.unlock, by: Actor(method: .fob, credential: CredentialRef(type: .fob)), failure: .unknownFob, now: now, into: &out)
        }
        let fob = credentials.fobs[index]
        let actor = Actor(method: .fob, credential: CredentialRef(type: .fob, slot: fob.slot, name: fob.name))
        if mode == .privacy { return report(.unlock, by: actor, failure: .modeForbids, now: now, into: &out) }
        if let refusal = fob.refusal(at: time(now)) { return report(.unlock, by: actor, failure: refusal, now: now, into: &out) }
        if isJammed { return report(.unlock, by: actor, failure: .jammed, now: now, into: &out) }
        if attempt(.unlock, by: actor, now: now, into: &out) == nil { credentials.fobs[index].lastUsedAt = now }
    }

    mutating func enrol(_ fobID: String, _ enrolment: FobEnrolment, now: Date, into out: inout [LockOutput]) {
        self.enrolment = nil
        credentials.insert(FobSlot(
            slot: enrolment.slot, name: enrolment.name, fobID: fobID, enrolledAt: now, rules: enrolment.rules, validUntil: enrolment.validUntil))
        credentialEvent(.fobEnrolled, slot: enrolment.slot, name: enrolment.name, requestID: enrolment.requestID, now: now, into: &out)
        out.append(.result(CommandResult(requestID: enrolment.requestID, command: "enroll_fob", error: nil)))
    }

    /// A phone over Bluetooth locks or unlocks; it cannot connect at all while BLE is down.
    mutating func phone(_ id: String, _ command: BoltCommand, now: Date, into out: inout [LockOutput]) {
        guard isPowered, bleUp else { return }
        let move = BoltMove(command)
        guard let index = credentials.phoneIndex(id: id) else {
            let actor = Actor(method: .blePhone, credential: CredentialRef(type: .phone, id: id))
            return report(move, by: actor, failure: .unknownPhone, now: now, into: &out)
        }
        let phone = credentials.phones[index]
        let actor = Actor(method: .blePhone, credential: CredentialRef(type: .phone, name: phone.name, id: phone.id))
        if mode == .privacy { return report(move, by: actor, failure: .modeForbids, now: now, into: &out) }
        if let refusal = phone.refusal(at: time(now)) { return report(move, by: actor, failure: refusal, now: now, into: &out) }
        if isJammed { return report(move, by: actor, failure: .jammed, now: now, into: &out) }
        if attempt(move, by: actor, now: now, into: &out) == nil { credentials.phones[index].lastUsedAt = now }
    }
}
