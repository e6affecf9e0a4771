public import Foundation
public import JSON
public import LockCore

/// The fields of spec 7.1 as every payload writes them (commands, the device link,
/// `credentials`): `type`, `schedule` (`[{"days", "from", "to"}]`), `valid_from`.
extension AccessRules {
    /// Adds this credential's type, schedule and `valid_from` to `o`.
    public func write(into o: inout JSONObject) {
        o["type"] = .string(type.rawValue)
        if !schedule.isEmpty { o["schedule"] = Self.json(schedule) }
        if let validFrom { o["valid_from"] = .time(validFrom) }
    }

    public static func json(_ windows: [WeekWindow]) -> JSONValue {
        .array(windows.map { w in
            .object([
                "days": .array(w.days.map { .string($0.rawValue) }), "from": .string(WeekWindow.text(w.from)),
                "to": .string(WeekWindow.text(w.to)),
            ])
        })
    }

    /// Reads `type`, `schedule` and `valid_from` from a trusted payload (the device link, a
    /// saved state); nil when none is there. A field at fault is named, never echoed.
    public static func read(_ o: JSONObject) throws(JSONError) -> AccessRules? {
        let type: CredentialUse? = try o.optionalCase("type")
        let windows = try o.objects("schedule") { w throws(JSONError) in try window(w) }
        let validFrom = try o.optionalTime("valid_from")
        guard type != nil || !windows.isEmpty || validFrom != nil else { return nil }
        return AccessRules(type: type ?? .unrestricted, schedule: windows, validFrom: validFrom)
    }

    static func window(_ w: JSONObject) throws(JSONError) -> WeekWindow {
        var days: [String] = []
        for day in try w.array("days") {
            guard let text = day.stringValue else { throw JSONError(.wrongType, field: "schedule", detail: "days are strings") }
            days.append(text)
        }
        do {
            return try WeekWindow(days: days, from: try w.string("from"), to: try w.string("to"))
        } catch let error as LockError {
            throw JSONError(.outOfRange, field: "schedule", detail: error.message)
        } catch {
            throw JSONError(.wrongType, field: "schedule", detail: "expected days, from and to")
        }
    }
}
