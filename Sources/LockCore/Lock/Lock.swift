public import Foundation

/// A smart door lock as a value-type state machine: feed it inputs with the time, carry out the
/// outputs it returns. Pure: no clock, no I/O, no randomness (the salt is passed in).
public struct Lock: Sendable, Codable, Equatable {
    /// Where the bolt is.
    public internal(set) var state: LockState = .locked
    /// The door sensor.
    public internal(set) var door: DoorState = .closed
    /// The operating mode.
    public internal(set) var mode: LockMode = .normal
    /// Batteries and backup power.
    public internal(set) var battery: Battery
    /// Whether the Wi-Fi link is up.
    public internal(set) var wifiUp = true
    /// Whether the Bluetooth radio is up.
    public internal(set) var bleUp = true
    /// Firmware version string.
    public internal(set) var firmware: String
    /// Settings.
    public internal(set) var config: LockConfig
    /// Wrong-code counter and lockout clock.
    public internal(set) var lockout = Lockout()
    /// Every credential (metadata public, secrets internal).
    public internal(set) var credentials: Credentials
    /// The faults the lock itself knows to be active.
    public internal(set) var activeFaults: Set<FaultCode> = []
    /// Last event's sequence number in this epoch (0 before the first).
    public internal(set) var seq: UInt64 = 0
    /// Event epoch; a factory reset starts the next one.
    public internal(set) var epoch: Int = 1
    /// Whether the firmware hangs (answers only `restart`).
    public internal(set) var isHung = false
    /// Whether the cover has been removed since the last `restart` command.
    public internal(set) var tampered = false
    /// Whether the next motor move will jam.
    public internal(set) var jamPending = false
    /// The open fob-enrolment window, if any.
    public internal(set) var enrolment: FobEnrolment?
    /// The last successful access, for `state.last_access`.
    public internal(set) var lastAccess: LastAccess?
    /// The clock was lost with the power and not set since (spec 7.1); nil while it is known.
    public internal(set) var clockLost: Bool?
    /// The slot of the duress code whose alert nobody acknowledged yet.
    public internal(set) var duressPending: Int?
    /// The per-lock salt for code hashes (not secret, but unique per lock).
    public let salt: [UInt8]
    /// How codes are hashed.
    public let hasher: CodeHasher

    /// When the door last opened (for `door_ajar`); `nil` while closed.
    var doorOpenedAt: Date?
    /// Whether an unlock is waiting to be undone by auto-relock.
    var relockArmed = false
    /// When auto-relock fires, once the door is closed.
    var relockDue: Date?
    /// The `now` of the last input (for time-based drain).
    /// The latest time the lock has seen (its clock never runs back past it).
    public internal(set) var lastTime: Date?

    /// Creates a locked lock with a closed door, full batteries and no credentials.
    /// - Parameters:
    ///   - salt: per-lock random bytes (16 or more), made by the caller.
    ///   - hasher: the code hasher; tests pass a low iteration count.
    public init(
        salt: [UInt8], hasher: CodeHasher = CodeHasher(), firmware: String = "1.0.0",
        config: LockConfig = LockConfig(), battery: Battery = Battery(), credentials: Credentials = Credentials()
    ) {
        self.salt = salt
        self.hasher = hasher
        self.firmware = firmware
        self.config = config
        self.battery = battery
        self.credentials = credentials
    }

    /// Whether the electronics run (battery above 0 % or backup power). A dead lock sends no
    /// heartbeat and answers nothing electronic.
    public var isPowered: Bool { battery.isPowered }

    /// When the running lockout ends, if one runs at `now`.
    public func lockoutUntil(now: Date) -> Date? { lockout.isActive(at: now) ? lockout.until : nil }

    /// The PIN policy for this lock's configured minimum code length.
    public var pinPolicy: PINPolicy { PINPolicy(minimumLength: config.minCodeLength) }

    /// Hashes `code` the way this lock stores it (what the bridge does before sending a code).
    public func hash(code: String) -> CodeHash { hasher.hash(code: code, salt: salt) }

    /// `now` as credentials see it: in the lock's time zone, and whether the clock is known.
    public func time(_ now: Date) -> LockTime { LockTime(now: now, zone: config.timeZone, known: clockLost != true) }
}

/// An open fob-enrolment window.
public struct FobEnrolment: Sendable, Codable, Equatable {
    /// The `enroll_fob` command's id; it gets the one result.
    public var requestID: String
    /// Name for the new fob.
    public var name: String
    /// Slot the fob goes into.
    public var slot: Int
    /// When the window closes.
    public var until: Date
    /// What the enrolled fob will be restricted to (spec 7.1).
    public var rules: AccessRules?
    public var validUntil: Date?

    /// How long the window stays open.
    public static let window: TimeInterval = 60
}

/// The last successful access, for the spec's `state.last_access`.
public struct LastAccess: Sendable, Codable, Equatable {
    /// The event.
    public var event: AccessEvent
    /// When.
    public var at: Date

    public init(event: AccessEvent, at: Date) {
        self.event = event
        self.at = at
    }
}
