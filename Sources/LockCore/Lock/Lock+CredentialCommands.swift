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

    mutating func setCode(
        slot: Int, name: String, hash: CodeHash, validUntil: Date?, replace: Bool, requestID: String, now: Date,
        into out: inout [LockOutput]
    ) -> LockError? {
        if let error = checkSlot(slot) ?? checkName(name) ?? checkHash(hash) { return error }
        let existing = credentials.pinIndex(slot: slot)
        if existing != nil, !replace { return LockError(.slotOccupied, "slot \(slot) already holds a code") }
        if let other = credentials.pinIndex(matching: hash), credentials.pins[other].slot != slot {
            return .weak(.duplicateCode)
        }
        if credentials.isOverride(hash) { return .weak(.duplicateCode) }
        credentials.insert(PinSlot(slot: slot, name: name, enabled: true, validUntil: validUntil, setAt: now, hash: hash))
        credentialEvent(.codeSet, slot: slot, name: name, requestID: requestID, now: now, into: &out)
        return nil
    }

    mutating func clearCode(slot: Int, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        guard let index = credentials.pinIndex(slot: slot) else { return .notFound("code slot \(slot)") }
        let pin = credentials.pins.remove(at: index)
        credentialEvent(.codeCleared, slot: slot, name: pin.name, requestID: requestID, now: now, into: &out)
        return nil
    }

    mutating func setEnabled(_ enabled: Bool, slot: Int, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        guard let index = credentials.pinIndex(slot: slot) else { return .notFound("code slot \(slot)") }
        credentials.pins[index].enabled = enabled
        let type: CredentialEventType = enabled ? .codeEnabled : .codeDisabled
        credentialEvent(type, slot: slot, name: credentials.pins[index].name, requestID: requestID, now: now, into: &out)
        return nil
    }

    /// Opens the 60 s enrolment window for the next unknown fob.
    mutating func enrollFob(name: String, slot: Int?, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        if let error = checkName(name) { return error }
        if let slot, let error = checkSlot(slot) { return error }
        guard let target = slot ?? credentials.freeFobSlot() else { return LockError(.slotOccupied, "every fob slot is taken") }
        if credentials.fobIndex(slot: target) != nil { return LockError(.slotOccupied, "fob slot \(target) is taken") }
        enrolment = FobEnrolment(requestID: requestID, name: name, slot: target, until: now.addingTimeInterval(FobEnrolment.window))
        credentialEvent(.enrolmentStarted, slot: target, name: name, requestID: requestID, now: now, into: &out)
        return nil
    }

    mutating func revokeFob(slot: Int, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        guard let index = credentials.fobIndex(slot: slot) else { return .notFound("fob slot \(slot)") }
        let fob = credentials.fobs.remove(at: index)
        credentialEvent(.fobRevoked, slot: slot, name: fob.name, requestID: requestID, now: now, into: &out)
        return nil
    }

    mutating func addPhone(id: String, name: String, requestID: String, now: Date, into out: inout [LockOutput]) -> LockError? {
        if let error = checkName(id, field: "id") ?? checkName(name) { return error }
        if credentials.phoneIndex(id: id) != nil { return LockError(.slotOccupied, "phone \(id) is already added") }
        credentials.phones.append(Phone(id: id, name: name, addedAt: now))
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
