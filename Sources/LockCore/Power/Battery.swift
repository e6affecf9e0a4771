/// How fast the batteries drain, and where the motor gives up.
public struct DrainModel: Sendable, Codable, Equatable {
    /// Percent used by one motor move.
    public var percentPerMove: Double
    /// Percent used per hour of idling.
    public var percentPerHour: Double
    /// At or below this percent the motor refuses (`insufficient_battery`); the spec's "depleted".
    public var motorCutoffPercent: Double

    /// Creates a drain model; the defaults fit 4 × AA lasting about a year with ~10 moves a day.
    public init(percentPerMove: Double = 0.05, percentPerHour: Double = 0.02, motorCutoffPercent: Double = 2) {
        self.percentPerMove = percentPerMove
        self.percentPerHour = percentPerHour
        self.motorCutoffPercent = motorCutoffPercent
    }
}

/// The batteries and the backup-power contacts.
public struct Battery: Sendable, Codable, Equatable {
    /// Charge left, 0…100.
    public var percent: Double
    /// Whether a 9 V / USB jump-start is held to the contacts.
    public var backupPower: Bool
    /// How the charge drains.
    public var drain: DrainModel

    /// Creates a battery at `percent` without backup power.
    public init(percent: Double = 100, backupPower: Bool = false, drain: DrainModel = DrainModel()) {
        self.percent = Self.clamp(percent)
        self.backupPower = backupPower
        self.drain = drain
    }

    /// The percent as the spec reports it, rounded up: 0 only when the batteries are really
    /// empty (the electronics dead), and ≤ 2 exactly when the motor refuses at the default cutoff.
    public var reportedPercent: Int { Int(percent.rounded(.up)) }

    /// Terminal voltage in millivolts for 4 × AA: linear from 4800 mV (empty) to 6400 mV (full),
    /// i.e. `4800 + 16 × percent`; alkaline cells are close enough to linear for a level display.
    public var voltageMillivolts: Int { 4800 + Int((16 * percent).rounded()) }

    /// Whether the electronics run (keypad, radios, firmware): batteries not empty, or backup power.
    public var isPowered: Bool { backupPower || percent > 0 }

    /// Whether the motor can move the bolt: batteries above the cutoff, or backup power.
    public var canRunMotor: Bool { backupPower || percent > drain.motorCutoffPercent }

    /// Takes the cost of one motor move (nothing while on backup power).
    mutating func spendMove() {
        guard !backupPower else { return }
        percent = Self.clamp(percent - drain.percentPerMove)
    }

    /// Takes the idle cost of `seconds` (nothing while on backup power).
    mutating func idle(seconds: Double) {
        guard !backupPower, seconds > 0 else { return }
        percent = Self.clamp(percent - drain.percentPerHour * seconds / 3600)
    }

    static func clamp(_ value: Double) -> Double {
        guard value.isFinite else { return 0 }
        return min(100, max(0, value))
    }
}
