public import Foundation

/// Forecasts days of battery left from a least-squares fit of percent over lock time.
///
/// "Lock time" is time on batteries: intervals on backup power are cut out, so a jump-start does
/// not look like a flat battery. Replacing the batteries starts over.
public struct DrainForecast: Sendable, Codable, Equatable {
    /// One reading: seconds of lock time since the forecast started, and the percent then.
    public struct Sample: Sendable, Codable, Equatable {
        /// Lock time in seconds.
        public var lockTime: Double
        /// Battery percent.
        public var percent: Double

        public init(lockTime: Double, percent: Double) { (self.lockTime, self.percent) = (lockTime, percent) }
    }

    /// Readings kept, oldest first.
    public private(set) var samples: [Sample] = []
    /// Most samples kept (oldest are dropped).
    public var capacity: Int
    /// Wall-clock time of the last reading.
    public private(set) var lastWallClock: Date?
    /// Whether the last reading was on backup power.
    public private(set) var lastOnBackup = false
    /// Lock time so far, in seconds.
    public private(set) var lockTime: Double = 0

    /// Minimum samples for a forecast.
    public static let minimumSamples = 3
    /// Minimum lock time the samples must span, in seconds.
    public static let minimumSpan: Double = 3600

    /// Creates an empty forecast keeping at most `capacity` samples.
    public init(capacity: Int = 64) { self.capacity = max(Self.minimumSamples, capacity) }

    /// A forecast as it was saved (the bridge keeps it across restarts, spec 3.1).
    public init(samples: [Sample], capacity: Int = 64, lockTime: Double, lastWallClock: Date?, lastOnBackup: Bool) {
        self.init(capacity: capacity)
        self.samples = Array(samples.suffix(self.capacity))
        (self.lockTime, self.lastWallClock, self.lastOnBackup) = (lockTime, lastWallClock, lastOnBackup)
    }

    /// Records a reading at wall-clock `now`; time since the previous reading counts as lock time
    /// only when the previous reading was not on backup power.
    public mutating func record(percent: Double, backupPower: Bool, at now: Date) {
        if let lastWallClock, !lastOnBackup { lockTime += max(0, now.timeIntervalSince(lastWallClock)) }
        lastWallClock = now
        lastOnBackup = backupPower
        guard !backupPower else { return }
        samples.append(Sample(lockTime: lockTime, percent: percent))
        if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
    }

    /// Forgets everything (fresh batteries).
    public mutating func reset() { self = DrainForecast(capacity: capacity) }

    /// Days until 0 %, or `nil` with fewer than 3 samples, less than 1 h of lock time, or a level
    /// that is not falling.
    public var daysLeft: Double? {
        guard samples.count >= Self.minimumSamples, let first = samples.first, let last = samples.last,
            last.lockTime - first.lockTime >= Self.minimumSpan
        else { return nil }
        let n = Double(samples.count)
        let meanT = samples.reduce(0) { $0 + $1.lockTime } / n
        let meanP = samples.reduce(0) { $0 + $1.percent } / n
        var covariance = 0.0
        var variance = 0.0
        for sample in samples {
            covariance += (sample.lockTime - meanT) * (sample.percent - meanP)
            variance += (sample.lockTime - meanT) * (sample.lockTime - meanT)
        }
        guard variance > 0 else { return nil }
        let slope = covariance / variance  // percent per second
        guard slope < 0 else { return nil }
        let fitted = meanP + slope * (last.lockTime - meanT)
        return max(0, fitted) / -slope / 86_400
    }
}
