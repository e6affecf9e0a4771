import Foundation

/// One-time and duress codes (spec 7.1).
extension Lock {
    /// Runs `move` with the `one_time` code in `slot`: the code is used up before the bolt
    /// moves (the emulator saves that before it says anything), given back if the move fails,
    /// and `code_used_up` follows a move that happened.
    mutating func usingOnce(
        slot: Int, requestID: String?, now: Date, into out: inout [LockOutput],
        _ move: (inout Lock, inout [LockOutput]) -> AccessFailureReason?
    ) -> AccessFailureReason? {
        guard let index = credentials.pinIndex(slot: slot) else { return move(&self, &out) }
        credentials.pins[index].usedUp = true
        credentials.pins[index].enabled = false
        let failure = move(&self, &out)
        if failure != nil {
            credentials.pins[index].usedUp = nil
            credentials.pins[index].enabled = true
            return failure
        }
        credentials.pins[index].lastUsedAt = now
        credentialEvent(.codeUsedUp, slot: slot, name: credentials.pins[index].name, requestID: requestID, now: now, into: &out)
        return nil
    }

    /// The silent duress alarm: an event of its own, which the bridge sends only to
    /// `alert/duress` and the history, never into `state` or anything retained.
    mutating func duressAlert(slot: Int, now: Date, into out: inout [LockOutput]) {
        duressPending = slot
        emit(.alert(AlertEvent(kind: .duress, slot: slot)), now: now, into: &out)
    }

    /// The acknowledgement, once the code was checked: on the same topic and in the history,
    /// marked `acknowledged`.
    mutating func acknowledgeDuress(now: Date, into out: inout [LockOutput]) -> LockError? {
        guard let slot = duressPending else { return LockError(.notFound, "no duress alert is waiting to be acknowledged") }
        duressPending = nil
        emit(.alert(AlertEvent(kind: .duress, slot: slot, acknowledged: true)), now: now, into: &out)
        return nil
    }

    /// Who a PIN is, for access events: a `one_time` code says so.
    func reference(_ pin: PinSlot) -> CredentialRef {
        var ref = CredentialRef(type: .pin, slot: pin.slot, name: pin.name)
        if pin.use == .oneTime { ref.oneTime = true }
        return ref
    }
}
