import LockAPI
import Locking

/// A lock's discovery configs differ from another lock's only by the lock id, so each set is
/// rendered once per (firmware, code requirement), for a placeholder id, and the id is spliced
/// into the bytes. At 10,000 locks that is 120,000 payloads at start not built one by one.
/// A lock id is `[a-z0-9_-]`: it needs no escaping anywhere in JSON or a topic.
final class DiscoveryTemplates: Sendable {
    /// Stands for the lock id while rendering; long and odd enough never to occur otherwise.
    static let placeholder = LockID("lockid-9f2c1e7a-placeholder")!

    struct Template: Sendable {
        var topicParts: [Substring]
        /// The payload split at every occurrence of the placeholder.
        var payloadParts: [ArraySlice<UInt8>]

        init(topic: String, payload: [UInt8]) {
            topicParts = topic.split(separator: DiscoveryTemplates.placeholder.rawValue, omittingEmptySubsequences: false)
            payloadParts = payload.split(separator: Array(DiscoveryTemplates.placeholder.rawValue.utf8), omittingEmptySubsequences: false)
        }

        func publication(for id: LockID) -> Publication {
            let idBytes = Array(id.rawValue.utf8)
            var payload: [UInt8] = []
            payload.reserveCapacity(payloadParts.reduce(0) { $0 + $1.count } + idBytes.count * (payloadParts.count - 1))
            for (index, part) in payloadParts.enumerated() {
                if index > 0 { payload += idBytes }
                payload += part
            }
            return Publication(topic: topicParts.joined(separator: id.rawValue), payload: payload, retain: true)
        }
    }

    private let sets = Locked<[String: [Template]]>([:])

    /// The templates for `key`, rendered by `render` the first time.
    func set(for key: String, render: () -> [Template]) -> [Template] {
        if let known = sets.withLock({ $0[key] }) { return known }
        let made = render()
        sets.withLock { $0[key] = made }
        return made
    }
}
