import LockAPI
import MQTT

/// What the bridge core asks the service to do, in order.
enum BridgeOutput {
    /// Publish on the public API (state, availability, alerts, credentials, results).
    case publish(topic: String, payload: [UInt8], retain: Bool, properties: MQTTProperties = MQTTProperties())
    /// An audited event: written to SQLite first, then published at QoS 1, marked delivered on PUBACK.
    case event(lock: LockID, category: String, topic: String, payload: [UInt8], epoch: Int64?, seq: Int64?)
    /// A signed command to a lock on the device link.
    case device(lock: LockID, payload: [UInt8], mac: String)
    /// A signed request to a lock to send its events again from a sequence number on.
    case resend(lock: LockID, payload: [UInt8], mac: String)
    /// Remember a command's result under its request id (dedupe across restarts). A provisional
    /// one is written before the command goes to the lock and never overwrites; the final one does.
    case remember(lock: LockID, requestID: String, result: [UInt8], final: Bool)
    /// A removed lock reported live again: drop its removal from SQLite.
    case readmit(lock: LockID)
}
