import Foundation
import GRDB

extension AuditRecord {
    /// The columns `init(row:)` reads, in a select list.
    static let columns = "id, lock, category, topic, payload, at, epoch, seq, delivered"

    /// Reads a row selected with `columns`.
    init(row: Row) {
        let payload: Data = row["payload"]
        let seconds: Double = row["at"]
        self.init(
            id: row["id"], lock: row["lock"], category: row["category"], topic: row["topic"],
            payload: Array(payload), at: Date(timeIntervalSince1970: seconds),
            epoch: row["epoch"], seq: row["seq"], delivered: row["delivered"])
    }
}

extension Date {
    /// How the store writes a date: seconds since 1970 as a REAL, which orders like the dates.
    var storedSeconds: Double { timeIntervalSince1970 }
}
