import LockAPI

/// Home Assistant discovery configs, republished when what they depend on changes. They go
/// out paced, beside the flow of state: a lock's own topics first (automations and scripts
/// read those), its configs after, so 10,000 locks at a cold start are online in seconds. Until
/// the connection's scan for an earlier run's configs is done (``DiscoveryLeftovers``), none go
/// out: the fence's return publishes them all, after any migration.
struct DiscoveryUpdates: LockFeature {
    func snapshotStored(_ context: inout LockContext, previous: DeviceSnapshot?) {
        guard !context.discoveryHeld, let discovery = context.settings.discovery, let key = discovery.key(context.record), context.record.discoveryKey != key else { return }
        context.record.discoveryKey = key
        if let item = discovery.item(for: context.record) { context.effects.append(.publishPaced([.discovery(item)])) }
    }
}
