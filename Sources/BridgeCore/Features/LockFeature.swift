import LockAPI

/// One feature of the bridge, told what happened to one lock. It reads and changes the lock
/// through the one context value it is given, and adds its effects there. Each hook does nothing
/// unless the feature says otherwise.
protocol LockFeature: Sendable {
    /// A snapshot from the lock was stored; `previous` is the one before (nil at the first report).
    func snapshotStored(_ context: inout LockContext, previous: DeviceSnapshot?)
    /// The lock went online or offline, or reported for the first time.
    func availabilityChanged(_ context: inout LockContext)
    /// A device event was published, in `seq` order.
    func eventPublished(_ context: inout LockContext, _ event: DeviceEvent)
    /// Time passed.
    func tick(_ context: inout LockContext)
}

extension LockFeature {
    func snapshotStored(_ context: inout LockContext, previous: DeviceSnapshot?) {}
    func availabilityChanged(_ context: inout LockContext) {}
    func eventPublished(_ context: inout LockContext, _ event: DeviceEvent) {}
    func tick(_ context: inout LockContext) {}
}

/// Every feature, in the order each hook runs them.
enum Features {
    static let all: [any LockFeature] = [
        Availability(), BatteryAlerts(), LockoutRisk(), CodeRotation(), CredentialUpdates(), DiscoveryUpdates(), OverrideUse(),
        Unresponsive(),
    ]
}
