import Foundation
import JSON
import LockAPI
import LockCore

/// `unresponsive`: a command or a liveness probe timed out while heartbeats kept coming (the
/// firmware hangs); cleared when the lock reports `restarted`. While it is raised, remote,
/// keypad, phone and fob are `unresponsive` in `state.access` (``LockRecord/access``), and the
/// fault's detail points to what still works: the key, the override, and `restart`.
struct Unresponsive: LockFeature {
    func eventPublished(_ context: inout LockContext, _ event: DeviceEvent) {
        guard event.category == "system", event.payload["event_type"]?.stringValue == "restarted" else { return }
        guard context.record.bridgeFaults[.unresponsive] != nil else { return }
        context.clear(.unresponsive)
        LockoutRisk.update(&context)
    }

    /// Called by the command flow when the lock never answered `command` (or the probe, `ping`).
    static func timedOut(_ context: inout LockContext, command: String) {
        guard context.record.online, let beat = context.record.lastHeartbeat,
            context.now.timeIntervalSince(beat) < context.configuration.offlineAfter,
            context.record.bridgeFaults[.unresponsive] == nil
        else { return }
        var stillWorking: [JSONValue] = []
        let ways = context.record.snapshot?.access ?? WaysIn()
        for way in [AccessWay.mechanicalKey, .override] where ways[way].usable { stillWorking.append(.string(way.rawValue)) }
        context.raise(.unresponsive, detail: ["command": .string(command), "still_working": .array(stillWorking), "try": "restart"])
        LockoutRisk.update(&context)
    }
}
