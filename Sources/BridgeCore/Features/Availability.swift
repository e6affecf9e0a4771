import Foundation
import LockAPI
import LockCore

/// `availability` and `lock_offline` (spec 3): offline when the heartbeat stops; a lock offline
/// because it reported Wi-Fi down carries the lock's own `wifi_down` instead.
struct Availability: LockFeature {
    func availabilityChanged(_ context: inout LockContext) {
        let wifiDown = context.record.snapshot != nil && !context.record.wifiUp
        if context.record.online {
            context.clear(.lockOffline)
        } else if !wifiDown {
            context.raise(.lockOffline)
        }
    }

    func tick(_ context: inout LockContext) {
        guard context.record.online, let beat = context.record.lastHeartbeat,
            context.now.timeIntervalSince(beat) > context.configuration.offlineAfter
        else { return }
        context.setOnline(false)
    }
}
