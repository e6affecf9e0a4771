import LockAPI
import Locking

/// A lock's discovery configs differ from another lock's only by the lock id (and its slug in the
/// entity ids), so each set is rendered once per (firmware, code requirement), for placeholders,
/// and the id is spliced into the bytes. At 10,000 locks that is 10,000 device configs (or
/// 150,000 entity configs) at start not built one by one. A lock id is `[a-z0-9_-]`: it needs no
/// escaping anywhere in JSON or a topic.
final class DiscoveryTemplates: Sendable {
    /// Stands for the lock id while rendering; long and odd enough never to occur otherwise.
    static let placeholder = LockID("lockid-9f2c1e7a-placeholder")!
    /// Stands for the lock id's slug (``Discovery/slug(_:)``); its own slug is itself.
    static let slugPlaceholder = "lockslug7e1c2f9bplaceholder"

    struct Template: Sendable {
        var topicParts: [Substring]
        /// The payload split at every placeholder, and which one stood at each cut.
        var payloadParts: [ArraySlice<UInt8>]
        var cuts: [Bool]

        init(topic: String, payload: [UInt8]) {
            topicParts = topic.split(separator: DiscoveryTemplates.placeholder.rawValue, omittingEmptySubsequences: false)
            (payloadParts, cuts) = Self.split(payload)
        }

        /// The parts between placeholders, and for each cut whether it was the slug's.
        private static func split(_ payload: [UInt8]) -> ([ArraySlice<UInt8>], [Bool]) {
            let id = Array(DiscoveryTemplates.placeholder.rawValue.utf8), slug = Array(DiscoveryTemplates.slugPlaceholder.utf8)
            var parts: [ArraySlice<UInt8>] = [], cuts: [Bool] = []
            var start = 0, i = 0
            while i < payload.count {
                let rest = payload[i...]
                if rest.starts(with: id) || rest.starts(with: slug) {
                    let isSlug = rest.starts(with: slug)
                    parts.append(payload[start..<i])
                    cuts.append(isSlug)
                    i += isSlug ? slug.count : id.count
                    start = i
                } else {
                    i += 1
                }
            }
            parts.append(payload[start...])
            return (parts, cuts)
        }

        func publication(for id: LockID) -> Publication {
            let idBytes = Array(id.rawValue.utf8), slugBytes = Array(Discovery.slug(id.rawValue).utf8)
            var payload: [UInt8] = []
            payload.reserveCapacity(payloadParts.reduce(0) { $0 + $1.count } + max(idBytes.count, slugBytes.count) * cuts.count)
            for (index, part) in payloadParts.enumerated() {
                if index > 0 { payload += cuts[index - 1] ? slugBytes : idBytes }
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
