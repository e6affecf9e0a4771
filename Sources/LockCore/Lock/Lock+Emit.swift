import Foundation

extension Lock {
    /// Stamps and appends an event.
    mutating func emit(_ body: LockEventBody, now: Date, into out: inout [LockOutput]) {
        seq += 1
        out.append(.event(LockEvent(seq: seq, epoch: epoch, at: now, body: body)))
    }

    /// Raises `fault` unless it is already active.
    mutating func raise(_ fault: FaultCode, detail: [String: Int] = [:], now: Date, into out: inout [LockOutput]) {
        guard activeFaults.insert(fault).inserted else { return }
        emit(.fault(FaultEvent(raised: true, fault: fault, detail: detail)), now: now, into: &out)
    }

    /// Clears `fault` if it is active.
    mutating func clear(_ fault: FaultCode, now: Date, into out: inout [LockOutput]) {
        guard activeFaults.remove(fault) != nil else { return }
        emit(.fault(FaultEvent(raised: false, fault: fault, detail: [:])), now: now, into: &out)
    }

    mutating func system(_ type: SystemEventType, detail: String? = nil, now: Date, into out: inout [LockOutput]) {
        emit(.system(SystemEvent(eventType: type, detail: detail)), now: now, into: &out)
    }

    mutating func credentialEvent(
        _ type: CredentialEventType, slot: Int? = nil, id: String? = nil, name: String? = nil,
        requestID: String?, plan: String? = nil, now: Date, into out: inout [LockOutput]
    ) {
        let event = CredentialEvent(eventType: type, slot: slot, id: id, name: name, requestID: requestID, plan: plan)
        emit(.credential(event), now: now, into: &out)
    }

    mutating func access(_ event: AccessEvent, now: Date, into out: inout [LockOutput]) {
        if event.succeeded { lastAccess = LastAccess(event: event, at: now) }
        emit(.access(event), now: now, into: &out)
    }
}
