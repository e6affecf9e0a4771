import Foundation
import JSON
import LockAPI
import LockCore

/// `unresponsive`: a command timed out while heartbeats kept coming (the firmware hangs);
/// cleared when the lock reports `restarted`.
struct Unresponsive: LockFeature {
    func eventPublished(_ context: inout LockContext, _ event: DeviceEvent) {
        if event.category == "system", event.payload["event_type"]?.stringValue == "restarted" { context.clear(.unresponsive) }
    }

    /// Called by the command flow when the lock never answered `command`.
    static func commandTimedOut(_ context: inout LockContext, command: String) {
        guard context.record.online, let beat = context.record.lastHeartbeat,
            context.now.timeIntervalSince(beat) < context.configuration.offlineAfter
        else { return }
        context.raise(.unresponsive, detail: ["command": .string(command)])
    }
}
