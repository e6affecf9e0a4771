import Foundation
import JSON
import LockAPI
import LockCore

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

    /// The answer to a retry of `requestID`. A remembered `busy` is none: it says that nothing
    /// happened at the lock (it was being handed to another bridge), so a retry is carried out.
    func result(lock: LockID, requestID: String) -> [UInt8]? {
        guard let entry = entries[Key(lock: lock, requestID: requestID)], !Self.notCarriedOut(entry.result) else { return nil }
        return entry.result
    }

    /// Whether a retry of `requestID` replaces a remembered `busy`: what it stores before the
    /// command leaves must then be final, to replace the `busy` in the store too.
    func replacesBusy(lock: LockID, requestID: String) -> Bool {
        entries[Key(lock: lock, requestID: requestID)].map { Self.notCarriedOut($0.result) } ?? false
    }

    static func notCarriedOut(_ result: [UInt8]) -> Bool {
        (try? JSON.parseObject(result))?["error"]?.objectValue?["code"]?.stringValue == LockErrorCode.busy.rawValue
    }

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
