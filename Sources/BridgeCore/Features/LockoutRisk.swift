import JSON
import LockAPI
import LockCore

/// `lockout_risk` while fewer than two ways in are usable (spec 3.1). Remote use comes and goes
/// with the link, so the count is checked again whenever availability changes, and the firmware's
/// ways with `unresponsive`.
struct LockoutRisk: LockFeature {
    func snapshotStored(_ context: inout LockContext, previous: DeviceSnapshot?) { update(&context) }

    func availabilityChanged(_ context: inout LockContext) {
        if context.record.snapshot != nil { update(&context) }
    }

    func update(_ context: inout LockContext) { Self.update(&context) }

    /// Also called when `unresponsive` changes what is usable.
    static func update(_ context: inout LockContext) {
        let usable = context.record.access.usableCount
        if usable < 2 {
            context.raise(.lockoutRisk, detail: ["usable_ways": .int(Int64(usable))])
        } else {
            context.clear(.lockoutRisk)
        }
    }
}
