import Foundation
import LockCore
import Locking

/// Keeps each lock's state in a file of its own in the state directory, written atomically.
///
/// A marker file tells whether the last run ended cleanly. After an unclean end every lock's
/// sequence counter skips ahead, so a number used just before the crash is never used again.
final class LockStore: Sendable {
    let directory: URL
    /// The generation last written per lock: the ticker's periodic save and the urgent save of
    /// a used-up one-time code run on different tasks, and the older copy must not win.
    private let written = Locked<[String: UInt64]>([:])
    static let sequenceSkip: UInt64 = 1000

    init(directory: String) throws {
        self.directory = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    private var runningMarker: URL { directory.appendingPathComponent("running") }
    private func file(_ id: String) -> URL { directory.appendingPathComponent("lock-\(id).json") }

    /// Loads `id`, or makes and saves a new lock: locked, door closed, key fitted, no codes, and
    /// a new epoch (saved at once, so that the epoch stays the same across restarts).
    func load(_ id: String, uncleanStop: Bool, make: () -> Lock) throws -> EmulatedLock {
        let url = file(id)
        guard let data = try? Data(contentsOf: url) else {
            var lock = make()
            lock.startEpoch(Int(Date().timeIntervalSince1970))
            let entry = EmulatedLock(lock: lock)
            try save(id, entry)
            return entry
        }
        var stored = try JSONDecoder().decode(EmulatedLock.self, from: data)
        if uncleanStop { stored.lock.skipSequence(by: Self.sequenceSkip) }
        return stored
    }

    func save(_ id: String, _ entry: EmulatedLock) throws {
        try written.withLock { last in
            if let done = last[id], entry.generation != 0, entry.generation <= done { return }
            try JSONEncoder().encode(entry).write(to: file(id), options: .atomic)
            last[id] = entry.generation
        }
    }

    /// Marks a run as started; returns whether the previous run ended uncleanly.
    func beginRun() throws -> Bool {
        let unclean = FileManager.default.fileExists(atPath: runningMarker.path)
        try Data().write(to: runningMarker, options: .atomic)
        return unclean
    }

    /// Marks the run as ended cleanly (after every lock was saved).
    func endRun() {
        try? FileManager.default.removeItem(at: runningMarker)
    }
}
