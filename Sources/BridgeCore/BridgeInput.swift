public import LockAPI

/// One thing that happened, in the order the bridge learned of it. Device messages, commands and
/// the fence share one queue, so a command is handled after every device message before it.
public enum BridgeInput: Sendable {
    /// A device snapshot; a retained one is from before the bridge subscribed.
    case deviceState(LockID, payload: [UInt8], retained: Bool)
    case deviceHeartbeat(LockID)
    case deviceEvent(LockID, payload: [UInt8])
    case deviceAck(LockID, payload: [UInt8])
    /// An emulator process's `online`/`offline` (its Last Will).
    case emulatorStatus(instance: String, online: Bool)
    /// A message on `<base>/+/set`.
    case command(CommandMessage)
    /// The bridge's own fence came back (see ``BridgeMachine``).
    case fence(token: String)
    /// A message on `<base>/bridge/request/<name>`.
    case request(RequestMessage)
    /// The broker connection is (again) up: fence, `online`, every retained topic.
    case connected
    /// Home Assistant restarted: every config and state again, paced.
    case homeAssistantOnline
    /// A retained discovery config of the layout the bridge does not publish (seen at connect):
    /// perhaps one an earlier run left, to migrate.
    case discoveryConfig(topic: String, payload: [UInt8])
    /// Time passed: timeouts, gap chasing, code ages, fault clears.
    case tick
    /// Changed locks are due to be saved (all of them at shutdown).
    case save(all: Bool)
    /// Old audit records and remembered request ids are due to be pruned.
    case prune
    /// The bridge is stopping: `offline` on `bridge/state`.
    case stopping
    /// Several bridges (spec 8): PostgreSQL's view of the shards changed.
    case shards(ShardView)
    /// The store's request memory and bridge seqs of shards just taken.
    case shardData(ShardData)
    /// Several bridges: the plans and the removed locks as the store holds them (read every second).
    case sharedRead(SharedState)
    /// `<base>/bridge/state` as the broker delivered it (another bridge's delayed Will says `offline`).
    case bridgeState(String)
}

/// A message on a command topic, with what MQTT told about it.
public struct CommandMessage: Sendable {
    public var topic: String
    public var payload: [UInt8]
    public var retained: Bool
    /// MQTT 5 response topic and correlation data, when the client asked for a direct answer.
    public var responseTopic: String?
    public var correlation: [UInt8]?
    /// Delivered before the bridge's fence came back: it waited in the session queue.
    public var queued = false

    public init(topic: String, payload: [UInt8], retained: Bool, responseTopic: String? = nil, correlation: [UInt8]? = nil) {
        self.topic = topic
        self.payload = payload
        self.retained = retained
        self.responseTopic = responseTopic
        self.correlation = correlation
    }
}

/// A bridge request (spec section 2).
public struct RequestMessage: Sendable {
    public var name: String
    public var payload: [UInt8]
    public var responseTopic: String?
    public var correlation: [UInt8]?
    /// Delivered with the retain flag (the bridge subscribes with Retain-As-Published).
    public var retained: Bool

    public init(name: String, payload: [UInt8], responseTopic: String? = nil, correlation: [UInt8]? = nil, retained: Bool = false) {
        self.retained = retained
        self.name = name
        self.payload = payload
        self.responseTopic = responseTopic
        self.correlation = correlation
    }
}
