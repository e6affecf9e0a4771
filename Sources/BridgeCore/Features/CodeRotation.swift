import Foundation
import JSON
import LockAPI
import LockCore

/// `code_rotation_due`: one fault per code slot whose code is older than the rotation period,
/// cleared when that slot's code is replaced or removed (spec 3.3).
struct CodeRotation: LockFeature {
    func snapshotStored(_ context: inout LockContext, previous: DeviceSnapshot?) { update(&context) }

    func tick(_ context: inout LockContext) {
        if context.rotationCheckDue { update(&context) }
    }

    private func update(_ context: inout LockContext) {
        let period = context.configuration.codeRotationDays * 86_400
        let due = context.record.snapshot?.credentials.codesOlder(than: period, now: context.now) ?? []
        for slot in due.subtracting(context.record.rotationDue).sorted() { event(&context, slot: slot, raised: true) }
        for slot in context.record.rotationDue.subtracting(due).sorted() { event(&context, slot: slot, raised: false) }
        context.record.rotationDue = due
    }

    private func event(_ context: inout LockContext, slot: Int, raised: Bool) {
        let event = context.faultEvent(.codeRotationDue, raised: raised, detail: ["slot": .int(Int64(slot))])
        context.effects.append(.event(event))
    }
}
