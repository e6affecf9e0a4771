/// MQTT quality of service.
public enum QoS: Int32, Sendable, Hashable, CaseIterable {
    case atMostOnce = 0
    case atLeastOnce = 1
    case exactlyOnce = 2
}

/// The MQTT 5 properties LockBridge reads and writes.
public struct MQTTProperties: Sendable, Hashable {
    public var responseTopic: String?
    public var correlationData: [UInt8]?
    public var contentType: String?
    /// Message expiry interval in seconds.
    public var messageExpiry: UInt32?
    public var userProperties: [UserProperty]

    public init(
        responseTopic: String? = nil, correlationData: [UInt8]? = nil, contentType: String? = nil,
        messageExpiry: UInt32? = nil, userProperties: [UserProperty] = []
    ) {
        self.responseTopic = responseTopic
        self.correlationData = correlationData
        self.contentType = contentType
        self.messageExpiry = messageExpiry
        self.userProperties = userProperties
    }

    var isEmpty: Bool {
        responseTopic == nil && correlationData == nil && contentType == nil && messageExpiry == nil
            && userProperties.isEmpty
    }
}

/// One MQTT 5 user property (a name/value pair; names may repeat).
public struct UserProperty: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A message as delivered by the broker, copied out of libmosquitto's memory.
public struct MQTTMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: QoS
    /// The retain flag as delivered. With Retain-As-Published it is also set on live delivery.
    public var retain: Bool
    public var properties: MQTTProperties

    public init(
        topic: String, payload: [UInt8], qos: QoS = .atMostOnce, retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }

    /// The payload as UTF-8 text, or nil when it is not valid UTF-8.
    public var text: String? { String(validating: payload, as: UTF8.self) }
}

/// Subscription options of MQTT 5.
public struct SubscribeOptions: Sendable, Hashable {
    public var qos: QoS
    /// Do not receive what this client publishes itself.
    public var noLocal: Bool
    /// Keep the retain flag on live delivery, so retained commands can be told apart.
    public var retainAsPublished: Bool

    public init(qos: QoS = .atLeastOnce, noLocal: Bool = false, retainAsPublished: Bool = false) {
        self.qos = qos
        self.noLocal = noLocal
        self.retainAsPublished = retainAsPublished
    }
}

/// A Last Will, published by the broker when the client vanishes without a clean disconnect.
public struct MQTTWill: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: QoS
    public var retain: Bool
    /// MQTT 5 Will Delay Interval: the broker waits this long before publishing it, and not at
    /// all if the client is back by then (spec 8: a bridge's `offline` waits `takeover_s`).
    public var delaySeconds: UInt32?

    public init(topic: String, payload: [UInt8], qos: QoS = .atLeastOnce, retain: Bool = true, delaySeconds: UInt32? = nil) {
        self.delaySeconds = delaySeconds
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    public init(topic: String, text: String, qos: QoS = .atLeastOnce, retain: Bool = true, delaySeconds: UInt32? = nil) {
        self.init(topic: topic, payload: Array(text.utf8), qos: qos, retain: retain, delaySeconds: delaySeconds)
    }
}
