import Foundation

/// Lock time: real time since start, sped up by the time scale (for demos and tests).
struct LockClock: Sendable {
    let scale: Double
    let start: Date

    init(scale: Double, start: Date = Date()) {
        self.scale = scale
        self.start = start
    }

    func lockTime(at wall: Date) -> Date { start.addingTimeInterval(wall.timeIntervalSince(start) * scale) }
}
