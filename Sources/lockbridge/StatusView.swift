import Foundation
import JSON
import LockAPI

/// How `lockbridge status` shows locks to people.
enum StatusView {
    /// The six ways in, in the order people think of them, with short names.
    static let ways: [(key: String, name: String)] = [
        ("remote", "remote"), ("keypad", "keypad"), ("ble_phone", "phone"), ("fob", "fob"),
        ("mechanical_key", "key"), ("override", "override"),
    ]

    static func table(_ locks: [JSONObject]) -> String {
        var table = TextTable("LOCK", "AVAILABILITY", "STATE", "DOOR", "MODE", "BATTERY", "WAYS IN", "FAULTS")
        for lock in locks {
            let usable = usableWays(lock)
            table.add(
                lock.text("id"), lock.text("availability"), lock.text("lock"), lock.text("door"), lock.text("mode"),
                battery(lock), "\(usable.count)/6 \(usable.joined(separator: ","))", faults(lock))
        }
        return table.rendered
    }

    static func detail(_ lock: JSONObject) -> String {
        let access = lock["access"]?.objectValue ?? [:]
        let wayLines = ways.map { way -> String in
            let entry = access[way.key]?.objectValue
            let usable = entry?["usable"]?.boolValue == true
            return "    \(way.name.padding(toLength: 9, withPad: " ", startingAt: 0))\(usable ? "usable" : "not usable: \(entry?.text("reason") ?? "unknown")")"
        }
        let radio = lock["connectivity"]?.objectValue ?? [:]
        var lines = [
            "\(lock.text("id")): \(lock.text("availability"))",
            "  state        \(lock.text("lock")), door \(lock.text("door")), mode \(lock.text("mode"))",
            "  battery      \(battery(lock))\(lock["battery"]?.objectValue?["backup_power"]?.boolValue == true ? ", on backup power" : "")",
            "  radios       wifi \(radio.text("wifi")), ble \(radio.text("ble"))",
            "  faults       \(faults(lock))",
        ]
        if let until = lock["lockout_until"]?.stringValue { lines.append("  locked out   until \(until)") }
        if let last = lock["last_access"]?.objectValue, let event = try? PublicEvent(object: last) {
            lines.append("  last access  \(EventLine.access(event)) at \(event.at)")
        }
        lines.append("  last seen    \(lock.text("last_seen")), firmware \(lock.text("firmware"))")
        lines.append("  ways in (\(usableWays(lock).count) of 6 usable now)")
        return (lines + wayLines).joined(separator: "\n")
    }

    static func usableWays(_ lock: JSONObject) -> [String] {
        let access = lock["access"]?.objectValue ?? [:]
        return ways.filter { access[$0.key]?.objectValue?["usable"]?.boolValue == true }.map(\.name)
    }

    /// `63% ok, 212.5 d left`.
    static func battery(_ lock: JSONObject) -> String {
        let battery = lock["battery"]?.objectValue ?? [:]
        var text = "\(battery.text("percent"))% \(battery.text("level"))"
        if let days = battery["days_left"]?.doubleValue { text += ", \(days) d left" }
        return text
    }

    static func faults(_ lock: JSONObject) -> String {
        let faults = (lock["faults"]?.arrayValue ?? []).compactMap(\.stringValue)
        return faults.isEmpty ? "-" : faults.joined(separator: ",")
    }
}
