import LockAPI

/// `credentials` is republished whenever the lock's credential metadata changes.
struct CredentialUpdates: LockFeature {
    func snapshotStored(_ context: inout LockContext, previous: DeviceSnapshot?) {
        guard previous?.credentials != context.record.snapshot?.credentials else { return }
        context.publish(LockContext.credentials(context.record, context.settings))
    }
}
