/// Builders and parsers for the device link between emulator (or real locks) and the bridge,
/// under `<prefix>/` (default `lockdev`). See docs/device-link.md.
public struct DeviceTopics: Sendable, Hashable {
    /// The device link's protocol version, carried as `"v"` in every JSON payload.
    public static let version = 2

    public let prefix: String

    public init(prefix: String = "lockdev") { self.prefix = prefix }

    public enum Channel: String, Sendable, CaseIterable {
        /// Lock → bridge, retained: the full device snapshot.
        case state
        /// Lock → bridge, QoS 0: "still alive".
        case heartbeat
        /// Lock → bridge, QoS 1: one access, fault, credential or system event.
        case event
        /// Bridge → lock, QoS 1, HMAC-signed: a command.
        case cmd
        /// Lock → bridge, QoS 1: the one answer to a command.
        case ack
        /// Bridge → lock, QoS 1, HMAC-signed: send again the events from a sequence number on.
        case resend
        /// Test or demo → emulator: the physical world (only with `--enable-sim`).
        case sim
        /// Emulator → test: errors about `sim` messages.
        case simResult = "sim/result"
    }

    public func lock(_ id: LockID, _ channel: Channel) -> String { "\(prefix)/\(id.rawValue)/\(channel.rawValue)" }

    /// One filter for a channel of every lock.
    public func all(_ channel: Channel) -> String { "\(prefix)/+/\(channel.rawValue)" }

    /// An emulator process's online/offline topic; also its Last Will.
    /// `_` cannot start a lock id, so this never collides with a lock.
    public func emulatorStatus(_ instance: String) -> String { "\(prefix)/_emulator/\(instance)/status" }
    public var allEmulatorStatus: String { "\(prefix)/_emulator/+/status" }

    /// Splits `<prefix>/<id>/<channel>` into its lock and channel.
    public func parse(_ topic: String) -> (LockID, Channel)? {
        let head = "\(prefix)/"
        guard topic.hasPrefix(head) else { return nil }
        let rest = topic.dropFirst(head.count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        guard let id = LockID(String(rest[..<slash])),
            let channel = Channel(rawValue: String(rest[rest.index(after: slash)...]))
        else { return nil }
        return (id, channel)
    }

    /// The emulator instance named by an emulator status topic.
    public func emulatorInstance(_ topic: String) -> String? {
        let head = "\(prefix)/_emulator/"
        guard topic.hasPrefix(head), topic.hasSuffix("/status") else { return nil }
        let instance = topic.dropFirst(head.count).dropLast("/status".count)
        return instance.isEmpty || instance.contains("/") ? nil : String(instance)
    }
}
