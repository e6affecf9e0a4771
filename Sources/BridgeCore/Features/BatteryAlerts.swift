import Foundation
import JSON
import LockAPI
import LockCore

/// Battery level with hysteresis, `alert/battery`, the `battery_*` faults, and the drain forecast.
struct BatteryAlerts: LockFeature {
    func snapshotStored(_ context: inout LockContext, previous: DeviceSnapshot?) {
        guard let snapshot = context.record.snapshot else { return }
        let levelBefore = context.record.batteryLevel
        update(&context, snapshot)
        // A new lock's level is news too, so a subscriber finds the current level retained.
        if previous == nil && context.record.batteryLevel == levelBefore {
            context.publish(LockContext.batteryAlert(context.record, context.settings, now: context.now))
        }
    }

    func eventPublished(_ context: inout LockContext, _ event: DeviceEvent) {
        // The drain of the old batteries says nothing about the new ones.
        if event.category == "system", event.payload["event_type"]?.stringValue == "battery_replaced" { context.record.forecast.reset() }
    }

    private func update(_ context: inout LockContext, _ snapshot: DeviceSnapshot) {
        let (percent, backup) = (snapshot.battery.percent, snapshot.battery.backupPower)
        let configuration = context.configuration
        if context.record.batteryLevelSince == nil { context.record.batteryLevelSince = context.now }
        context.record.forecast.record(percent: percent, backupPower: backup, at: snapshot.lockTime ?? context.now)
        let thresholds = BatteryLevel.Thresholds(
            low: configuration.batteryLow, critical: configuration.batteryCritical, depleted: configuration.batteryDepleted)
        let level = BatteryLevel.next(current: context.record.batteryLevel, percent: percent, thresholds: thresholds)
        guard level != context.record.batteryLevel else { return }
        if let old = Self.faults[context.record.batteryLevel] { context.clear(old) }
        if let new = Self.faults[level] { context.raise(new, detail: ["percent": .int(Int64(percent.rounded(.up)))]) }
        context.record.batteryLevel = level
        context.record.batteryLevelSince = context.now
        context.publish(LockContext.batteryAlert(context.record, context.settings, now: context.now))
    }

    static let faults: [BatteryLevel: FaultCode] = [.low: .batteryLow, .critical: .batteryCritical, .depleted: .batteryDepleted]
}
