public import Foundation

/// The wrong-code counter and lockout clock shared by the keypad and remote codes (Matter
/// `WrongCodeEntryLimit` / `UserCodeTemporaryDisableTime`).
public struct Lockout: Sendable, Codable, Equatable {
    /// Consecutive wrong codes since the last good code or the last lockout.
    public private(set) var failures: Int = 0
    /// Lockouts since the last good code; each one doubles the next lockout's length.
    public private(set) var lockoutsInRow: Int = 0
    /// When the current lockout ends, or `nil` when none is running (or it ended but no input has
    /// arrived since to notice).
    public private(set) var until: Date?

    /// Creates a clean counter.
    public init() {}

    /// Whether a lockout is running at `now`.
    public func isActive(at now: Date) -> Bool {
        guard let until else { return false }
        return now < until
    }

    /// Length of the next lockout: `base × 2^(lockouts in a row)`, capped at one hour.
    public func nextDuration(base: Int) -> Int {
        let doublings = min(lockoutsInRow, 12)
        return min(base << doublings, LockConfig.maxLockoutSeconds)
    }

    /// Counts one wrong code; returns `true` when this failure starts a lockout.
    mutating func recordFailure(limit: Int, base: Int, now: Date) -> Bool {
        failures += 1
        guard failures >= limit else { return false }
        until = now.addingTimeInterval(TimeInterval(nextDuration(base: base)))
        lockoutsInRow += 1
        failures = 0
        return true
    }

    /// A good code resets the counter and the doubling; a running lockout is not cut short.
    mutating func recordSuccess() {
        failures = 0
        lockoutsInRow = 0
    }

    /// Forgets a lockout whose time is over; returns `true` when one just ended.
    mutating func expire(now: Date) -> Bool {
        guard let until, now >= until else { return false }
        self.until = nil
        return true
    }
}
