public import Foundation

/// Everything `lock-emulator` needs; every field has a safe default.
public struct EmulatorConfiguration: Sendable {
    public var lockIDs: [String]
    /// Where each lock's state is kept across restarts (credentials only as hashes).
    public var stateDirectory: String
    /// Device-link topic prefix.
    public var topicPrefix = "lockdev"
    /// This process's name on the device link (its Last Will topic).
    public var instance: String
    /// Whether `lockdev/<id>/sim` is listened to. Off by default: nobody can press a virtual
    /// button over the network unless asked.
    public var enableSim = false
    /// Real seconds between a lock's heartbeats.
    public var heartbeatInterval: Double = 30
    /// Lock time runs this many times faster than real time (battery drain, timers).
    public var timeScale: Double = 1
    /// Real seconds between timer ticks.
    public var tickInterval: Double = 1
    /// The key file shared with the bridge; created in the state directory when absent.
    public var deviceKeyFile: String?
    /// How long shutdown waits for the broker to take what is still queued.
    public var shutdownFlushSeconds: Double = 5
    /// PBKDF2 rounds for new locks' code hashes.
    public var hashIterations: Int?
    /// New locks have neither a key cylinder nor an override keyhole (keypad-only models).
    public var keyless = false

    public init(lockIDs: [String], stateDirectory: String, instance: String = "emu-\(ProcessInfo.processInfo.processIdentifier)") {
        self.lockIDs = lockIDs
        self.stateDirectory = stateDirectory
        self.instance = instance
    }

    /// The key file actually used.
    public var resolvedKeyFile: String {
        deviceKeyFile ?? URL(fileURLWithPath: stateDirectory).appendingPathComponent("device.key").path
    }
}
