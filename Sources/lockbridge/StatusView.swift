import Foundation
import LockAPI
import LockCore

/// How `lockbridge status` shows locks to people.
enum StatusView {
    /// The six ways in, in the order people think of them, with short names.
    static let ways: [(key: String, name: String)] = [
        ("remote", "remote"), ("keypad", "keypad"), ("ble_phone", "phone"), ("fob", "fob"),
        ("mechanical_key", "key"), ("override", "override"),
    ]

    static func table(_ locks: [PublicLockSummary]) -> String {
        var table = TextTable("LOCK", "AVAILABILITY", "STATE", "DOOR", "MODE", "BATTERY", "WAYS IN", "FAULTS")
        for lock in locks {
            let usable = usableWays(lock.state)
            let state = lock.state
            table.add(
                lock.id, availability(lock), state.lock, state.door, state.mode,
                battery(state), "\(usable.count)/6 \(usable.joined(separator: ","))", faults(state))
        }
        return table.rendered
    }

    static func detail(_ lock: PublicLockSummary) -> String {
        let state = lock.state
        let wayLines = ways.map { way -> String in
            let entry = state.access.first { $0.way == way.key }
            let status = entry.map { $0.usable ? "usable" : "not usable: \($0.reason ?? "unknown")" } ?? "not reported"
            return "    \(way.name.padding(toLength: 9, withPad: " ", startingAt: 0))\(status)"
        }
        var lines = [
            "\(lock.id): \(availability(lock))",
            "  state        \(state.lock), door \(state.door), mode \(state.mode)",
            "  battery      \(battery(state))\(state.battery.backupPower ? ", on backup power" : "")",
            "  radios       wifi \(state.connectivity.wifi), ble \(state.connectivity.ble)",
            "  faults       \(faults(state))",
        ]
        if let until = state.lockoutUntil { lines.append("  locked out   until \(RFC3339.format(until))") }
        if state.faults.contains("unresponsive") {
            // Spec 3.1: point to what still works when the firmware hangs.
            lines.append("  no answer    the firmware does not respond: use the key or the override, or `lockbridge restart \(lock.id)`")
        }
        if let last = state.lastAccess, let event = try? PublicEvent(object: last.object) {
            lines.append("  last access  \(EventLine.access(event)) at \(event.at)")
        }
        lines.append("  last seen    \(state.lastSeen.map(RFC3339.format) ?? "-"), firmware \(state.firmware ?? "-")")
        lines.append("  ways in (\(usableWays(state).count) of 6 usable now)")
        return (lines + wayLines).joined(separator: "\n")
    }

    /// The short names of the ways that work now, in `ways` order.
    static func usableWays(_ state: PublicLockState) -> [String] {
        let usable = Set(state.usableWays)
        return ways.filter { usable.contains($0.key) }.map(\.name)
    }

    static func availability(_ lock: PublicLockSummary) -> String { lock.online ? "online" : "offline" }

    /// `63% ok, 212.5 d left`.
    static func battery(_ state: PublicLockState) -> String {
        var text = "\(state.battery.percent)% \(state.battery.level)"
        if let days = state.battery.daysLeft { text += ", \(days) d left" }
        return text
    }

    static func faults(_ state: PublicLockState) -> String {
        state.faults.isEmpty ? "-" : state.faults.joined(separator: ",")
    }
}
