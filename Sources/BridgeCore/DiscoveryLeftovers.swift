public import LockAPI
import JSON

/// Moving between the two discovery layouts without losing entity ids, history or a user's
/// customisations (spec section 5, migration). At every connect the bridge reads the retained
/// configs of the layout it does not publish. Those of its own devices (the same node and unique
/// ids), left by an earlier run, are migrated: `{"migrate_discovery": true}` on each, then the
/// device's configs in the new layout (the node and the object ids stay the same), and only
/// then empty payloads that clear the old topics. Home Assistant then moves each entity over
/// instead of deleting it and making a new one.
struct DiscoveryLeftovers: Sendable {
    /// This connection's fence came back, so every retained config has arrived.
    var complete = false
    /// Leftover topics by node, in arrival order.
    private var found: [String: [String]] = [:]

    static let migrate = Array(#"{"migrate_discovery":true}"#.utf8)

    mutating func add(node: String, topic: String) {
        if found[node]?.contains(topic) != true { found[node, default: []].append(topic) }
    }

    /// How many devices have leftovers.
    var devices: Int { found.count }

    /// `configs`, wrapped in the migration of whatever `node` left in the other layout.
    mutating func migrating(_ node: String, _ configs: [PacedPublication]) -> [PacedPublication] {
        guard let topics = found.removeValue(forKey: node) else { return configs }
        return topics.map { .message(Publication(topic: $0, payload: Self.migrate, retain: true)) }
            + configs + topics.map { .message(Publication(topic: $0, payload: [], retain: true)) }
    }
}

/// What the bridge subscribes to at connect to find an earlier run's configs, and a cheap
/// first filter on the loop thread (the core checks the payload).
public struct DiscoveryScan: Sendable {
    /// The other layout's topics: entity configs in `device` mode, device configs in `entity` mode.
    public let filter: String
    private let nodePrefix: String
    private let levels: Int

    public init(_ configuration: BridgeConfiguration) {
        let prefix = configuration.discoveryPrefix
        switch configuration.discoveryMode {
        case .device: (filter, levels) = ("\(prefix)/+/+/+/config", 4)
        case .entity: (filter, levels) = ("\(prefix)/device/+/config", 3)
        }
        nodePrefix = Discovery(prefix: prefix, mode: configuration.discoveryMode, topics: PublicTopics(base: configuration.baseTopic), version: "")
            .baseID + "_"
    }

    /// Whether `topic` may be one of this bridge's: its node starts with the base id.
    public func mightBeOurs(_ topic: String) -> Bool {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false).suffix(levels)
        // The node is the level after the component (or after `device`).
        return parts.count == levels && parts[parts.startIndex + 1].hasPrefix(nodePrefix)
    }
}

extension Discovery {
    /// The node of a retained config in the other layout that is this bridge's own (by its node
    /// and unique ids, or an unfinished migration's `migrate_discovery`); nil otherwise.
    func leftoverNode(_ topic: String, payload: [UInt8]) -> String? {
        guard topic.hasPrefix(prefix + "/"), !payload.isEmpty, let config = try? JSON.parseObject(payload) else { return nil }
        let levels = topic.dropFirst(prefix.count + 1).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let migrating = config["migrate_discovery"]?.boolValue == true
        switch mode {
        case .device:
            guard levels.count == 4, levels[3] == "config", levels[0] != "device" else { return nil }
            let (node, object) = (levels[1], levels[2])
            return migrating || config["unique_id"]?.stringValue == "\(node)_\(object)" ? node : nil
        case .entity:
            guard levels.count == 3, levels[0] == "device", levels[2] == "config" else { return nil }
            let node = levels[1]
            let device = (config["dev"] ?? config["device"])?.objectValue
            let ids = (device?["ids"] ?? device?["identifiers"])?.arrayValue?.compactMap(\.stringValue) ?? []
            return migrating || ids.contains(node) ? node : nil
        }
    }

    /// The lock a node stands for, or nil for the bridge's own node and anything else.
    func lock(ofNode node: String) -> LockID? {
        guard node != bridgeNode, node.hasPrefix(baseID + "_") else { return nil }
        return LockID(String(node.dropFirst(baseID.count + 1)))
    }
}

extension BridgeMachine {
    /// A retained config of the other layout, while the fence is out: kept when it is one of
    /// this bridge's devices (``DiscoveryLeftovers``).
    mutating func leftover(_ topic: String, payload: [UInt8]) -> [BridgeEffect] {
        guard !leftovers.complete, let discovery = settings.discovery, let node = discovery.leftoverNode(topic, payload: payload) else { return [] }
        let known = node == discovery.bridgeNode || discovery.lock(ofNode: node).map { locks[$0]?.snapshot != nil } == true
        guard known else { return [] }
        leftovers.add(node: node, topic: topic)
        return []
    }
}
