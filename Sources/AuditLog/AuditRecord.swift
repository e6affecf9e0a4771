public import Foundation

/// One event as written to the outbox before it is published on MQTT.
public struct AuditRecord: Sendable, Equatable {
    /// Order of append; never reused, even after pruning.
    public var id: Int64
    /// The lock the event belongs to.
    public var lock: String
    /// "access", "fault", "credential" or "system".
    public var category: String
    /// The MQTT topic the record is published on.
    public var topic: String
    /// The exact JSON bytes published.
    public var payload: [UInt8]
    /// When the event happened (stored as seconds since 1970, so sub-microsecond digits may round).
    public var at: Date
    /// The device's sequence epoch, when the event came from the device.
    public var epoch: Int64?
    /// The device's sequence number within `epoch`.
    public var seq: Int64?
    /// Whether the broker acknowledged the publish.
    public var delivered: Bool

    /// Makes a record; the store makes these, other modules' tests may too.
    public init(
        id: Int64, lock: String, category: String, topic: String, payload: [UInt8], at: Date,
        epoch: Int64?, seq: Int64?, delivered: Bool
    ) {
        self.id = id
        self.lock = lock
        self.category = category
        self.topic = topic
        self.payload = payload
        self.at = at
        self.epoch = epoch
        self.seq = seq
        self.delivered = delivered
    }
}
