public import Foundation

/// Matter's user types (spec 7.1): what a credential may do.
public enum CredentialUse: String, Sendable, Codable, CaseIterable {
    /// Works at any time, and authorises remote administration.
    case unrestricted
    /// Works only inside its week-day windows.
    case scheduled
    /// A code that works once: a successful unlock or open uses it up.
    case oneTime = "one_time"
    /// A code that opens as usual and silently raises the duress alert.
    case duress
}

/// A day of the week, as the spec spells it.
public enum Weekday: String, Sendable, Codable, CaseIterable {
    case sun, mon, tue, wed, thu, fri, sat

    /// From `Calendar`'s weekday component (1 is Sunday).
    init(calendarWeekday: Int) { self = Self.allCases[(calendarWeekday - 1 + 7) % 7] }

    var previous: Weekday { Self.allCases[(Self.allCases.firstIndex(of: self)! + 6) % 7] }
}

/// A week-day window in the lock's local time: [`from`, `to`) on each of `days`. A window whose
/// `to` is earlier than its `from` crosses midnight and belongs to its start day
/// (`fri 22:00–02:00` runs from Friday 22:00 to Saturday 02:00).
public struct WeekWindow: Sendable, Codable, Equatable {
    public var days: [Weekday]
    /// Minutes after local midnight, 0…1439.
    public var from: Int
    /// Minutes after local midnight, 1…1440 (`24:00`).
    public var to: Int

    /// Reads `{"days": [...], "from": "HH:MM", "to": "HH:MM"}`'s parts; the error names the field.
    public init(days: [String], from: String, to: String) throws(LockError) {
        guard !days.isEmpty else { throw .invalidField("schedule", "schedule: a window needs at least one day") }
        var parsed: [Weekday] = []
        for day in days {
            guard let weekday = Weekday(rawValue: day) else {
                throw .invalidField("schedule", "schedule: days are mon, tue, wed, thu, fri, sat and sun")
            }
            if !parsed.contains(weekday) { parsed.append(weekday) }
        }
        guard let start = Self.minutes(from), start < 1440 else { throw .invalidField("schedule", "schedule: from must be HH:MM, 00:00 to 23:59") }
        guard let end = Self.minutes(to), end > 0 else { throw .invalidField("schedule", "schedule: to must be HH:MM, 00:01 to 24:00") }
        guard start != end else { throw .invalidField("schedule", "schedule: from and to are equal, so the window would be empty") }
        self.init(days: parsed, from: start, to: end)
    }

    public init(days: [Weekday], from: Int, to: Int) {
        (self.days, self.from, self.to) = (days, from, to)
    }

    /// `HH:MM` with 00 ≤ HH ≤ 24 and 00 ≤ MM ≤ 59 (24:00 only as the end of a day).
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), minutes < 60, hours < 24 || (hours == 24 && minutes == 0)
        else { return nil }
        return hours * 60 + minutes
    }

    /// `HH:MM`.
    public static func text(_ minutes: Int) -> String {
        let hours = minutes / 60, rest = minutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    /// Whether a local wall-clock time (day and minute of day) lies in the window.
    func contains(day: Weekday, minute: Int) -> Bool {
        if from < to { return days.contains(day) && minute >= from && minute < to }
        return (days.contains(day) && minute >= from) || (days.contains(day.previous) && minute < to)
    }
}

/// When a credential works, beside being enabled (spec 7.1): its type, its week-day windows and
/// the start of its year-day window (`valid_until`, its end, is kept on the slot as before).
public struct AccessRules: Sendable, Codable, Equatable {
    public var type: CredentialUse
    /// Required for `scheduled`, empty otherwise.
    public var schedule: [WeekWindow]
    public var validFrom: Date?

    public init(type: CredentialUse = .unrestricted, schedule: [WeekWindow] = [], validFrom: Date? = nil) {
        (self.type, self.schedule, self.validFrom) = (type, schedule, validFrom)
    }

    /// Checks what a command asked for; `forCode` is false for fobs and phones.
    public func validated(validUntil: Date?, forCode: Bool) throws(LockError) -> AccessRules {
        if !forCode, type == .oneTime || type == .duress {
            throw .invalidField("type", "type \(type.rawValue) is for keypad codes only")
        }
        if type == .scheduled, schedule.isEmpty { throw .invalidField("schedule", "a scheduled credential needs a schedule") }
        if type != .scheduled, !schedule.isEmpty { throw .invalidField("schedule", "only a scheduled credential has a schedule") }
        if let validFrom, let validUntil, validFrom >= validUntil {
            throw .invalidField("valid_from", "valid_from must be before valid_until")
        }
        return self
    }

    /// Why a credential with these rules does not work at `now`, or nil when it does, as far
    /// as time goes: `expired` past `valid_until`, `outside_schedule` before `valid_from` or
    /// outside every window. Local time comes from the time-zone database, so a daylight-saving
    /// gap shortens a window and an overlap can repeat it.
    public static func timeRefusal(_ rules: AccessRules?, validUntil: Date?, at time: LockTime) -> AccessFailureReason? {
        let now = time.now
        // A lock that lost its clock cannot tell a window or a date: it refuses until the bridge sets it.
        if !time.known, validUntil != nil || rules?.dependsOnTime == true { return .outsideSchedule }
        if let validUntil, now >= validUntil { return .expired }
        guard let rules else { return nil }
        if let validFrom = rules.validFrom, now < validFrom { return .outsideSchedule }
        guard rules.type == .scheduled else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = time.zone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: now)
        let day = Weekday(calendarWeekday: parts.weekday ?? 1)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return rules.schedule.contains { $0.contains(day: day, minute: minute) } ? nil : .outsideSchedule
    }

    /// Whether the rules depend on the time of day or date at all.
    var dependsOnTime: Bool { validFrom != nil || type == .scheduled }
}

/// The lock's time as credentials need it: the instant, the local time zone, and whether the
/// clock is known at all (spec 7.1: not after a power loss, until the bridge sets it).
public struct LockTime: Sendable {
    public var now: Date
    public var zone: TimeZone
    public var known: Bool

    public init(now: Date, zone: TimeZone = TimeZone(identifier: "UTC")!, known: Bool = true) {
        (self.now, self.zone, self.known) = (now, zone, known)
    }
}
