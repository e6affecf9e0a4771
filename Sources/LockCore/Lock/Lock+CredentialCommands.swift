import Foundation

extension Lock {
    func checkName(_ name: String, field: String = "name") -> LockError? {
        if name.isEmpty || name.count > Credentials.maxNameLength {
            return .invalidField(field, "\(field) must be 1…\(Credentials.maxNameLength) characters")
        }
        return nil
    }

    func checkSlot(_ slot: Int) -> LockError? {
        Credentials.slotRange.contains(slot) ? nil : .invalidField("slot", "slot must be within 1…250")
    }

    func checkHash(_ hash: CodeHash) -> LockError? {
        hash.bytes.count == 32 ? nil : .invalidField("code", "code hash must be 32 bytes")
    }

    func checkRules(_ rules: AccessRules?, validUntil: Date?, forCode: Bool) -> LockError? {
        do {
            _ = try (rules ?? AccessRules()).validated(validUntil: validUntil, forCode: forCode)
            return nil
        } catch {
            return error
        }
    }

    /// Rules worth storing: nil for a plain unrestricted credential, so nothing changes for it.
    static func stored(_ rules: AccessRules?) -> AccessRules? { rules == AccessRules() ? nil : rules }

    mutating func setCode(
        slot: Int, name: String, hash: CodeHash, validUntil: Date?, replace: Bool, rules: AccessRules? = nil, plan: String? = nil,
        requestID: String, now: Date, into out: inout [LockOutput]
    ) -> LockError? {
        if let error = checkSlot(slot) ?? checkName(name) ?? checkHash(hash) ?? checkRules(rules, validUntil: validUntil, forCode: true) {
            return error
        }
        let existing = credentials.pinIndex(slot: slot)
        if existing != nil, !replace { return LockError(.slotOccupied, "slot \(slot) already holds a code") }
        // A plan never writes into another plan's slot; a user's own command may change any slot.
        if let plan, let existing, let owner = credentials.pins[existing].plan, owner != plan {
            return LockError(.slotOccupied, "slot \(slot) belongs to another access plan")
        }
        if let other = credentials.pinIndex(matching: hash), credentials.pins[other].slot != slot {
            return .weak(.duplicateCode)
        }
        if credentials.isOverride(hash) { return .weak(.duplicateCode) }
        credentials.insert(PinSlot(
            slot: slot, name: name, enabled: true, validUntil: validUntil, setAt: now, hash: hash, rules: Self.stored(rules), plan: plan))
        credentialEvent(.codeSet, slot: slot, name: name, requestID: requestID, plan: plan, now: now, into: &out)
        return nil
    }

    mutating func clearCode(slot: Int, plan: String? = nil, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        guard let index = credentials.pinIndex(slot: slot) else { return .notFound("code slot \(slot)") }
        if let plan, let owner = credentials.pins[index].plan, owner != plan {
            return LockError(.slotOccupied, "slot \(slot) belongs to another access plan")
        }
        let pin = credentials.pins.remove(at: index)
        credentialEvent(.codeCleared, slot: slot, name: pin.name, requestID: requestID, plan: plan, now: now, into: &out)
        return nil
    }

    mutating func setEnabled(_ enabled: Bool, slot: Int, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        guard let index = credentials.pinIndex(slot: slot) else { return .notFound("code slot \(slot)") }
        if enabled, credentials.pins[index].isUsedUp {
            return .invalidField("slot", "a used-up one-time code is re-armed only by set_code with replace")
        }
        credentials.pins[index].enabled = enabled
        let type: CredentialEventType = enabled ? .codeEnabled : .codeDisabled
        credentialEvent(type, slot: slot, name: credentials.pins[index].name, requestID: requestID, now: now, into: &out)
        return nil
    }

    /// Opens the 60 s enrolment window for the next unknown fob.
    mutating func enrollFob(
        name: String, slot: Int?, rules: AccessRules? = nil, validUntil: Date? = nil, requestID: String, now: Date, into out: inout [LockOutput]
    ) -> LockError? {
        if let error = checkName(name) ?? checkRules(rules, validUntil: validUntil, forCode: false) { return error }
        if let slot, let error = checkSlot(slot) { return error }
        guard let target = slot ?? credentials.freeFobSlot() else { return LockError(.slotOccupied, "every fob slot is taken") }
        if credentials.fobIndex(slot: target) != nil { return LockError(.slotOccupied, "fob slot \(target) is taken") }
        enrolment = FobEnrolment(
            requestID: requestID, name: name, slot: target, until: now.addingTimeInterval(FobEnrolment.window), rules: Self.stored(rules),
            validUntil: validUntil)
        credentialEvent(.enrolmentStarted, slot: target, name: name, requestID: requestID, now: now, into: &out)
        return nil
    }

    mutating func revokeFob(slot: Int, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        guard let index = credentials.fobIndex(slot: slot) else { return .notFound("fob slot \(slot)") }
        let fob = credentials.fobs.remove(at: index)
        credentialEvent(.fobRevoked, slot: slot, name: fob.name, requestID: requestID, now: now, into: &out)
        return nil
    }

    mutating func addPhone(
        id: String, name: String, rules: AccessRules? = nil, validUntil: Date? = nil, requestID: String, now: Date, into out: inout [LockOutput]
    ) -> LockError? {
        if let error = checkName(id, field: "id") ?? checkName(name) ?? checkRules(rules, validUntil: validUntil, forCode: false) { return error }
        if credentials.phoneIndex(id: id) != nil { return LockError(.slotOccupied, "phone \(id) is already added") }
        credentials.phones.append(Phone(id: id, name: name, addedAt: now, rules: Self.stored(rules), validUntil: validUntil))
        credentialEvent(.phoneAdded, id: id, name: name, requestID: requestID, now: now, into: &out)
        return nil
    }

    mutating func revokePhone(id: String, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        guard let index = credentials.phoneIndex(id: id) else { return .notFound("phone \(id)") }
        let phone = credentials.phones.remove(at: index)
        credentialEvent(.phoneRevoked, id: id, name: phone.name, requestID: requestID, now: now, into: &out)
        return nil
    }

    mutating func setOverrideCode(_ hash: CodeHash, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        if let error = checkHash(hash) { return error }
        if credentials.pinIndex(matching: hash) != nil { return .weak(.duplicateCode) }
        credentials.overrideCode = hash
        credentialEvent(.overrideSet, requestID: requestID, now: now, into: &out)
        return nil
    }
}
