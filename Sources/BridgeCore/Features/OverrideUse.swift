import Foundation
import JSON
import LockAPI
import LockCore

/// `override_used`: raised when the override key or code opens the lock, cleared 24 h later or
/// by `ack_fault`. Used again while raised, the 24 h start over, still as one raise.
struct OverrideUse: LockFeature {
    static let clearsAfter: TimeInterval = 24 * 3600

    func eventPublished(_ context: inout LockContext, _ event: DeviceEvent) {
        let type = event.payload["event_type"]?.stringValue
        let method = event.payload["method"]?.stringValue
        guard event.category == "access", type == "unlock" || type == "open", method == "override_key" || method == "override_code" else { return }
        if context.record.bridgeFaults[.overrideUsed] != nil {
            context.record.bridgeFaults[.overrideUsed] = context.now
        } else {
            context.raise(.overrideUsed, detail: ["method": .string(method ?? "")])
        }
    }

    func tick(_ context: inout LockContext) {
        guard let raised = context.record.bridgeFaults[.overrideUsed], context.now.timeIntervalSince(raised) >= Self.clearsAfter else { return }
        context.clear(.overrideUsed)
    }
}
