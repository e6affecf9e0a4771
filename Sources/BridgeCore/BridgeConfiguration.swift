public import Foundation

/// Every setting of `lockbridge run`, each with a safe default (spec section 1).
public struct BridgeConfiguration: Sendable, Equatable {
    public var baseTopic = "lockbridge"
    public var deviceTopicPrefix = "lockdev"
    /// SQLite audit log, outbox and dedupe memory live here.
    public var dataDirectory = "lockbridge-data"
    /// The key shared with the locks (the emulator's `--device-key-file`).
    public var deviceKeyFile = "lockbridge-data/device.key"
    /// Lock ids to accept; empty means every lock that reports on the device link.
    public var allowList: Set<String> = []
    /// A lock is offline after no heartbeat for this long (3 × the 30 s default interval).
    public var offlineAfter: TimeInterval = 90
    /// Commands whose `issued_at` is older than this are `expired`.
    public var commandMaxAge: TimeInterval = 30
    /// How long to wait for a lock's ack before answering `timeout`.
    public var commandTimeout: TimeInterval = 10
    /// Every lock gets a signed liveness probe at least this often (spec 3.1), spread over the
    /// locks, and at once after a command times out.
    public var probeInterval: TimeInterval = 300
    /// Battery thresholds in percent (each clears 5 points higher).
    public var batteryLow: Double = 20
    public var batteryCritical: Double = 10
    public var batteryDepleted: Double = 2
    /// Keypad code minimum length (4 at the least).
    public var minCodeLength = 6
    /// Codes older than this raise `code_rotation_due`.
    public var codeRotationDays: Double = 180
    /// Audit records older than this are pruned once delivered.
    public var auditRetentionDays: Double = 90
    /// Request ids are remembered this long (never less than 24 h).
    public var requestRetentionHours: Double = 24
    /// How long shutdown waits for the broker to take the outbox.
    public var shutdownFlushSeconds: Double = 5
    /// Home Assistant MQTT discovery, on by default.
    public var discovery = true
    public var discoveryPrefix = "homeassistant"
    /// One config per lock (Home Assistant 2024.11 and later) or one per entity (older ones).
    public var discoveryMode = DiscoveryMode.device
    /// Access plans (spec 7.2): at most this many plan writes in flight at once.
    public var planParallel = 8
    /// The AES-256 key that seals the plans' codes in the store; made (mode 0600) when missing;
    /// nil: `plan.key` in the data directory. Keep it out of the database's backups, or a backup
    /// gives the codes away.
    public var planKeyFile: String?
    /// Several bridges on one PostgreSQL database (spec 8); nil: one bridge on SQLite.
    public var cluster: ClusterSettings?
    /// Timer resolution for heartbeats, command timeouts and housekeeping.
    public var tickInterval: Double = 0.5

    public init() {}

    public var requestRetention: TimeInterval { max(24, requestRetentionHours) * 3600 }

    /// Where the plan key is read from (and made when missing).
    public var planKeyPath: String { planKeyFile ?? "\(dataDirectory)/plan.key" }
}

/// How Home Assistant discovery configs are laid out (spec section 5).
public enum DiscoveryMode: String, Sendable, CaseIterable {
    /// One `<prefix>/device/<node>/config` per lock with every entity in `cmps`.
    case device
    /// One `<prefix>/<component>/<node>/<object>/config` per entity, for Home Assistant before 2024.11.
    case entity
}

/// `cluster:` in the config file (spec 8).
public struct ClusterSettings: Sendable, Equatable {
    /// `postgres://user@host:port/database`; the password comes from `passwordFile` or
    /// `LOCKBRIDGE_POSTGRES_PASSWORD`, never from the URL.
    public var postgres: String
    public var passwordFile: String?
    /// How long a dead bridge's shards wait for a new owner.
    public var takeoverSeconds: Double = 5
    /// This bridge's name among the others (its MQTT client id and `bridge/instances/<name>`).
    public var instance = ClusterSettings.defaultInstance

    /// The host name and process id: unique on one machine and across containers.
    public static var defaultInstance: String {
        let host = ProcessInfo.processInfo.hostName.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return "\(host.isEmpty ? "bridge" : host)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    public init(postgres: String, passwordFile: String? = nil) {
        self.postgres = postgres
        self.passwordFile = passwordFile
    }
}
