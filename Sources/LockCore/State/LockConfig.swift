public import Foundation

/// The lock's tunable settings, with the spec's defaults and bounds.
public struct LockConfig: Sendable, Codable, Equatable {
    /// Seconds after an unlock (once the door is closed) before the lock relocks itself; 0 = off.
    public var autoRelockSeconds: Int
    /// Consecutive wrong codes (keypad and remote together) that start a lockout (3…10).
    public var wrongCodeLimit: Int
    /// Length of the first lockout in seconds (≥ 30); each further lockout doubles it, up to 3600.
    public var lockoutSeconds: Int
    /// Whether remote commands that change who gets in must carry a valid code.
    public var requireCodeForRemote: Bool
    /// Seconds the door may stand open before `door_ajar` is raised.
    public var doorAjarSeconds: Int
    /// Minimum keypad code length (default 6, never below 4).
    public var minCodeLength: Int
    /// The lock's IANA time zone for week-day windows (spec 7.1); nil is `UTC`.
    public var timezone: String?

    /// The time zone schedules are read in, from the time-zone database.
    public var timeZone: TimeZone { timezone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")! }

    /// Creates a configuration; every argument defaults to the spec's default.
    public init(
        autoRelockSeconds: Int = 0, wrongCodeLimit: Int = 5, lockoutSeconds: Int = 60,
        requireCodeForRemote: Bool = false, doorAjarSeconds: Int = 120, minCodeLength: Int = 6, timezone: String? = nil
    ) {
        self.timezone = timezone
        self.autoRelockSeconds = autoRelockSeconds
        self.wrongCodeLimit = wrongCodeLimit
        self.lockoutSeconds = lockoutSeconds
        self.requireCodeForRemote = requireCodeForRemote
        self.doorAjarSeconds = doorAjarSeconds
        self.minCodeLength = minCodeLength
    }

    /// Allowed range of `autoRelockSeconds` (one day at most).
    public static let autoRelockRange = 0...86_400
    /// Allowed range of `wrongCodeLimit`.
    public static let wrongCodeLimitRange = 3...10
    /// Allowed range of `lockoutSeconds`.
    public static let lockoutRange = 30...3600
    /// Longest lockout, however many lockouts came before.
    public static let maxLockoutSeconds = 3600
    /// Allowed range of `doorAjarSeconds`.
    public static let doorAjarRange = 1...86_400
    /// Allowed range of `minCodeLength` (the spec: never below 4).
    public static let minCodeLengthRange = 4...12
}

/// A subset of settings to change, as the `set_config` command carries it.
public struct LockConfigPatch: Sendable, Codable, Equatable {
    /// New `auto_relock_s`, if given.
    public var autoRelockSeconds: Int?
    /// New `wrong_code_limit`, if given.
    public var wrongCodeLimit: Int?
    /// New `lockout_s`, if given.
    public var lockoutSeconds: Int?
    /// New `require_code_for_remote`, if given.
    public var requireCodeForRemote: Bool?
    /// New `door_ajar_s`, if given.
    public var doorAjarSeconds: Int?
    /// New keypad code minimum length, if given.
    public var minCodeLength: Int?
    /// New IANA time zone, if given.
    public var timezone: String?

    /// Creates a patch; leave out what should not change.
    public init(
        autoRelockSeconds: Int? = nil, wrongCodeLimit: Int? = nil, lockoutSeconds: Int? = nil,
        requireCodeForRemote: Bool? = nil, doorAjarSeconds: Int? = nil, minCodeLength: Int? = nil, timezone: String? = nil
    ) {
        self.timezone = timezone
        self.autoRelockSeconds = autoRelockSeconds
        self.wrongCodeLimit = wrongCodeLimit
        self.lockoutSeconds = lockoutSeconds
        self.requireCodeForRemote = requireCodeForRemote
        self.doorAjarSeconds = doorAjarSeconds
        self.minCodeLength = minCodeLength
    }
}

extension LockConfig {
    /// Applies `patch`, or names the first field out of range (nothing changes then).
    /// Returns the spec names of the fields that changed.
    mutating func apply(_ patch: LockConfigPatch) -> Result<[String], LockError> {
        func check(_ value: Int?, _ range: ClosedRange<Int>, _ field: String) -> LockError? {
            guard let value, !range.contains(value) else { return nil }
            return .invalidField(field, "\(field) must be within \(range.lowerBound)…\(range.upperBound)")
        }
        let problems = [
            check(patch.autoRelockSeconds, Self.autoRelockRange, "auto_relock_s"),
            check(patch.wrongCodeLimit, Self.wrongCodeLimitRange, "wrong_code_limit"),
            check(patch.lockoutSeconds, Self.lockoutRange, "lockout_s"),
            check(patch.doorAjarSeconds, Self.doorAjarRange, "door_ajar_s"),
            check(patch.minCodeLength, Self.minCodeLengthRange, "min_code_length"),
        ]
        if let problem = problems.compactMap({ $0 }).first { return .failure(problem) }
        if let zone = patch.timezone, TimeZone(identifier: zone) == nil || zone.isEmpty {
            return .failure(.invalidField("timezone", "timezone must be an IANA time zone such as Europe/Berlin"))
        }
        var changed: [String] = []
        func set<T: Equatable>(_ key: WritableKeyPath<LockConfig, T>, _ value: T?, _ name: String) {
            guard let value, self[keyPath: key] != value else { return }
            self[keyPath: key] = value
            changed.append(name)
        }
        set(\.autoRelockSeconds, patch.autoRelockSeconds, "auto_relock_s")
        set(\.wrongCodeLimit, patch.wrongCodeLimit, "wrong_code_limit")
        set(\.lockoutSeconds, patch.lockoutSeconds, "lockout_s")
        set(\.requireCodeForRemote, patch.requireCodeForRemote, "require_code_for_remote")
        set(\.doorAjarSeconds, patch.doorAjarSeconds, "door_ajar_s")
        set(\.minCodeLength, patch.minCodeLength, "min_code_length")
        if let zone = patch.timezone, (timezone ?? "UTC") != zone {
            timezone = zone
            changed.append("timezone")
        }
        return .success(changed)
    }
}
