import Foundation
import JSON
import LockAPI
import LockCore

/// `code_rotation_due`: one fault per code slot whose code is older than the rotation period,
/// cleared when that slot's code is replaced or removed (spec 3.3).
extension BridgeCore {
    mutating func updateRotation(_ record: inout LockRecord, now: Date, into out: inout [BridgeOutput]) {
        let period = configuration.codeRotationDays * 86_400
        let due = record.snapshot?.credentials.codesOlder(than: period, now: now) ?? []
        for slot in due.subtracting(record.rotationDue).sorted() { out.append(rotationEvent(record, slot: slot, raised: true, now: now)) }
        for slot in record.rotationDue.subtracting(due).sorted() { out.append(rotationEvent(record, slot: slot, raised: false, now: now)) }
        record.rotationDue = due
    }

    private func rotationEvent(_ record: LockRecord, slot: Int, raised: Bool, now: Date) -> BridgeOutput {
        let payload: JSONObject = [
            "event_type": .string(raised ? "fault_raised" : "fault_cleared"), "fault": .string(FaultCode.codeRotationDue.rawValue),
            "severity": .string(FaultCode.codeRotationDue.severity.rawValue), "detail": .object(["slot": .int(Int64(slot))]),
            "source": "bridge", "seq": .null, "at": .string(RFC3339.format(now)),
        ]
        return .event(lock: record.id, category: "fault", topic: publicTopics.lock(record.id, .faultEvent), payload: Self.bytes(payload), epoch: nil, seq: nil)
    }
}
