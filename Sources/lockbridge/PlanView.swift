import Foundation
import JSON
import LockAPI

/// How `lockbridge plan` shows plans to a person.
enum PlanView {
    /// `45 in sync, 5 pending` (only the statuses that occur; in sync always).
    static func summaryLine(_ status: PlanStatus) -> String {
        var parts = ["\(status.count(.inSync))/\(status.locks.count) in sync"]
        for s in [PlanLockStatus.pending, .drift, .failed, .needsAuth] where status.count(s) > 0 { parts.append("\(status.count(s)) \(s.rawValue)") }
        return parts.joined(separator: ", ") + (status.removing ? " (removing)" : "")
    }

    /// One row per lock: status, error, since when.
    static func table(_ status: PlanStatus) -> String {
        var table = TextTable("LOCK", "STATUS", "SINCE", "DETAIL")
        for id in status.locks.keys.sorted() {
            let lock = status.locks[id]!
            table.add(id, lock.status.rawValue, RFC3339.format(lock.at), lock.error.map { "\($0.code): \($0.message)" } ?? "")
        }
        return "plan \(status.name), applied \(RFC3339.format(status.appliedAt)): \(summaryLine(status))\n" + table.rendered
    }

    /// What a dry run says would change on each lock.
    static func dryRun(_ o: JSONObject) -> String {
        var table = TextTable("LOCK", "GRANT", "CHANGE", "SLOT")
        let locks = o["locks"]?.objectValue ?? [:]
        for id in locks.keys.sorted() {
            let lock = locks[id]?.objectValue ?? [:]
            if let error = lock["error"]?.objectValue {
                table.add(id, "", "pending", error["code"]?.stringValue.map { "(\($0))" } ?? "")
                continue
            }
            for change in (lock["changes"]?.arrayValue ?? []).compactMap(\.objectValue) {
                table.add(
                    id, change["grant"]?.stringValue ?? "", change["action"]?.stringValue ?? "", change["slot"]?.intValue.map { "\($0)" } ?? "")
            }
        }
        return "dry run of plan \(o["name"]?.stringValue ?? "?") (nothing was changed)\n" + table.rendered
    }
}

/// The progress bar of `plan apply --wait` on standard error: redrawn in place on a terminal,
/// a line per change otherwise (logs, CI).
final class PlanProgress {
    private let terminal = isatty(2) != 0
    private var lastLine = ""

    func show(_ status: PlanStatus) {
        let total = max(1, status.locks.count)
        let done = status.count(.inSync)
        let width = 30
        let filled = done * width / total
        let line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] " + PlanView.summaryLine(status)
        guard line != lastLine else { return }
        lastLine = line
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    func finish() {
        if terminal && !lastLine.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
