import Foundation
import LockAPI

/// The result of every command by (lock, request id), for the retention period: a repeated id
/// gets the stored result, marked duplicate, and never a second actuation. Loaded from the store
/// at start and written back through `remember` effects.
struct RequestMemory: Sendable {
    private struct Key: Hashable, Sendable {
        var lock: LockID
        var requestID: String
    }

    private struct Entry: Sendable {
        var result: [UInt8]
        var at: Date
    }

    private var entries: [Key: Entry] = [:]

    init(_ stored: [RememberedResult]) {
        for result in stored { entries[Key(lock: result.lock, requestID: result.requestID)] = Entry(result: result.result, at: result.at) }
    }

    func result(lock: LockID, requestID: String) -> [UInt8]? { entries[Key(lock: lock, requestID: requestID)]?.result }

    /// Stores a result; a provisional one never replaces one already known, a final one does.
    mutating func remember(_ result: RememberedResult) {
        let key = Key(lock: result.lock, requestID: result.requestID)
        if !result.final, entries[key] != nil { return }
        entries[key] = Entry(result: result.result, at: result.at)
    }

    mutating func prune(before cutoff: Date) {
        entries = entries.filter { $0.value.at >= cutoff }
    }
}
