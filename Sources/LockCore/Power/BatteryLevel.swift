/// The exclusive battery alert level (spec 3: `alert/battery`), derived with hysteresis.
public enum BatteryLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case ok, low, critical, depleted

    /// Thresholds at or below which a level is entered, and how far above it must rise to leave.
    public struct Thresholds: Sendable, Codable, Equatable {
        /// Enter `low` at or below this percent.
        public var low: Double
        /// Enter `critical` at or below this percent.
        public var critical: Double
        /// Enter `depleted` at or below this percent.
        public var depleted: Double
        /// Points above a threshold the percent must reach to leave that level.
        public var hysteresis: Double

        /// Creates thresholds; defaults are the spec's 20 / 10 / 2 with 5 points of hysteresis.
        public init(low: Double = 20, critical: Double = 10, depleted: Double = 2, hysteresis: Double = 5) {
            self.low = low
            self.critical = critical
            self.depleted = depleted
            self.hysteresis = hysteresis
        }
    }

    private var rank: Int {
        switch self {
        case .ok: 0
        case .low: 1
        case .critical: 2
        case .depleted: 3
        }
    }

    /// Orders levels from `ok` (least severe) to `depleted`.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    /// The level without hysteresis: the most severe threshold `percent` is at or below.
    public static func raw(percent: Double, thresholds: Thresholds = Thresholds()) -> BatteryLevel {
        if percent <= thresholds.depleted { return .depleted }
        if percent <= thresholds.critical { return .critical }
        if percent <= thresholds.low { return .low }
        return .ok
    }

    /// The next level: falling moves straight to the raw level; rising keeps the most severe
    /// level (no worse than `current`) whose clear point — its threshold plus `hysteresis`, so 25 %,
    /// 15 % and 7 % by default — has not been reached yet.
    public static func next(current: BatteryLevel, percent: Double, thresholds: Thresholds = Thresholds()) -> BatteryLevel {
        let raw = raw(percent: percent, thresholds: thresholds)
        guard raw < current else { return raw }
        for level in [BatteryLevel.depleted, .critical, .low] where level <= current && level > raw {
            if percent < thresholds.threshold(of: level) + thresholds.hysteresis { return level }
        }
        return raw
    }
}

extension BatteryLevel.Thresholds {
    func threshold(of level: BatteryLevel) -> Double {
        switch level {
        case .ok: 100
        case .low: low
        case .critical: critical
        case .depleted: depleted
        }
    }
}
