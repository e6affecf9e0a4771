import Foundation
import JSON
import LockAPI

/// One event as a line for people: `<at>  <lock>  <category>  <what happened>`.
enum EventLine {
    /// The line for an event as the bridge sent it, or a placeholder for one this client cannot read.
    static func line(lock: String, category: String, _ object: JSONObject) -> String {
        if category == "alert" {
            let slot = object["slot"]?.intValue.map { " (code slot \($0))" } ?? ""
            return "\(object["at"]?.stringValue ?? "")  \(lock)  \(category.padding(toLength: 10, withPad: " ", startingAt: 0))  duress\(slot)"
        }
        guard let event = try? PublicEvent(object: object) else { return "\(lock)  \(category)  (an event this client cannot read)" }
        return line(lock: lock, category: category, event)
    }

    static func line(lock: String, category: String, _ event: PublicEvent) -> String {
        var what: String
        switch category {
        case "access": what = access(event)
        case "fault": what = fault(event)
        case "credential": what = credential(event)
        case "plan": what = plan(event)
        default: what = event.eventType + (event.detail.map { " \(text($0))" } ?? "")
        }
        if let request = event.requestID { what += " [request \(request)]" }
        if event.delayed { what += " (delayed)" }
        return "\(event.at)  \(lock)  \(category.padding(toLength: 10, withPad: " ", startingAt: 0))  \(what)"
    }

    /// `unlock by keypad (pin 2 "Dog walker")`, `unlock_failed by keypad: wrong_code`.
    static func access(_ event: PublicEvent) -> String {
        var text = "\(event.eventType) by \(event.method ?? "-")"
        if let credential = event.credential {
            var who = credential.type
            if let slot = credential.slot { who += " \(slot)" }
            if let id = credential.id { who += " \(id)" }
            if let name = credential.name { who += " \"\(name)\"" }
            text += " (\(who))"
        }
        if let reason = event.reason { text += ": \(reason)" }
        return text
    }

    /// `battery_low raised (warning) {"percent":19}`.
    static func fault(_ event: PublicEvent) -> String {
        let raised = event.eventType != "fault_cleared"
        var line = "\(event.fault ?? "-") \(raised ? "raised" : "cleared")"
        if let severity = event.severity, raised { line += " (\(severity))" }
        if let detail = event.detail, detail.objectValue?.isEmpty != true { line += " \(text(detail))" }
        return line
    }

    /// `code_set slot 3 "Cleaner"`.
    static func credential(_ event: PublicEvent) -> String {
        var text = event.eventType
        if let slot = event.slot { text += " slot \(slot)" }
        if let id = event.id { text += " id \(id)" }
        if let name = event.name { text += " \"\(name)\"" }
        return text
    }

    /// `drift: plan cleaning, grant "Cleaner", slot 3 (changed)`.
    static func plan(_ event: PublicEvent) -> String {
        var text = "\(event.eventType): plan \(event.plan ?? "?")"
        if let grant = event.grant { text += ", grant \"\(grant)\"" }
        if let slot = event.slot { text += ", slot \(slot)" }
        if let change = event.change { text += " (\(change))" }
        return text
    }

    /// A string as itself, anything else as its JSON.
    private static func text(_ value: JSONValue) -> String {
        value.stringValue ?? (try? value.serialized()) ?? "?"
    }
}
