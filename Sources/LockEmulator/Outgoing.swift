import MQTT

/// A message the emulator core wants published, in order.
struct Outgoing: Sendable {
    var topic: String
    var payload: [UInt8]
    var qos: QoS = .atLeastOnce
    var retain = false
}
