import LockAPI

/// Home Assistant discovery configs, republished when what they depend on changes.
struct DiscoveryUpdates: LockFeature {
    func snapshotStored(_ context: inout LockContext, previous: DeviceSnapshot?) {
        guard let discovery = context.settings.discovery, let key = discovery.key(context.record), context.record.discoveryKey != key else { return }
        context.record.discoveryKey = key
        for publication in discovery.publications(for: context.record) { context.publish(publication) }
    }
}
