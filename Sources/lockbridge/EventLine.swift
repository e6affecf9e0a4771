import Foundation
import JSON

/// One event as a line for people: `<at>  <lock>  <category>  <what happened>`.
enum EventLine {
    static func line(lock: String, category: String, _ event: JSONObject) -> String {
        var what: String
        switch category {
        case "access": what = access(event)
        case "fault": what = fault(event)
        case "credential": what = credential(event)
        default: what = event.text("event_type") + (event["detail"].map { _ in " \(event.text("detail"))" } ?? "")
        }
        if let request = event["request_id"]?.stringValue { what += " [request \(request)]" }
        if event["delayed"]?.boolValue == true { what += " (delayed)" }
        return "\(event.text("at"))  \(lock)  \(category.padding(toLength: 10, withPad: " ", startingAt: 0))  \(what)"
    }

    /// `unlock by keypad (pin 2 "Dog walker")`, `unlock_failed by keypad: wrong_code`.
    static func access(_ event: JSONObject) -> String {
        var text = "\(event.text("event_type")) by \(event.text("method"))"
        if let credential = event["credential"]?.objectValue {
            var who = credential.text("type")
            if credential["slot"] != nil { who += " \(credential.text("slot"))" }
            if credential["id"] != nil { who += " \(credential.text("id"))" }
            if let name = credential["name"]?.stringValue { who += " \"\(name)\"" }
            text += " (\(who))"
        }
        if let reason = event["reason"]?.stringValue { text += ": \(reason)" }
        return text
    }

    /// `battery_low raised (warning) {"percent":19}`.
    static func fault(_ event: JSONObject) -> String {
        let change = event["event_type"]?.stringValue == "fault_cleared" ? "cleared" : "raised"
        var text = "\(event.text("fault")) \(change)"
        if let severity = event["severity"]?.stringValue, change == "raised" { text += " (\(severity))" }
        if let detail = event["detail"], detail != .null, detail.objectValue?.isEmpty != true { text += " \(event.text("detail"))" }
        return text
    }

    /// `code_set slot 3 "Cleaner"`.
    static func credential(_ event: JSONObject) -> String {
        var text = event.text("event_type")
        if event["slot"] != nil { text += " slot \(event.text("slot"))" }
        if event["id"] != nil { text += " id \(event.text("id"))" }
        if let name = event["name"]?.stringValue { text += " \"\(name)\"" }
        return text
    }
}
