import AuditLog
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real kill -9 of a process that writes through the store, on both stores: this test binary
/// runs itself again with only `crashChild` enabled, reads the batches the child reports as
/// committed, kills it mid-stream and opens the store. Nothing committed is lost, and no batch
/// is half there.
@Suite struct StoreCrashTests {
    static let backendVariable = "STORE_CRASH_BACKEND"
    static let whereVariable = "STORE_CRASH_WHERE"
    static let batchSize = 8

    /// The child: batches of 8 events, each also marking the previous batch delivered; reports
    /// each batch once `commit` returned. Enabled only in the process the test below starts.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[backendVariable] != nil))
    func crashChild() async throws {
        let environment = ProcessInfo.processInfo.environment
        let backend = try #require(environment[Self.backendVariable].flatMap(Backend.init(rawValue:)))
        let site = try #require(environment[Self.whereVariable])
        try await CrashSite(backend: backend, where: site).withStore { store in
            var previous: [Int64] = []
            // Bounded, so an orphaned child ends on its own.
            for n in 0..<20_000 {
                var batch = AuditBatch.events("lock-\(n % 5)", count: Self.batchSize, firstSeq: Int64(n * Self.batchSize + 1))
                batch.delivered = previous
                previous = try await store.commit(batch)
                FileHandle.standardOutput.write(Data("BATCH \(previous.map(String.init).joined(separator: ","))\n".utf8))
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func killedMidStreamLosesNothingCommitted(_ backend: Backend) async throws {
        let site = try await StoreSite.make(backend)
        let place = site.server?.url ?? site.sqlitePath
        // The schema exists before the child starts, as it would for a running bridge.
        _ = try await site.withStore { try await $0.bridgeEpoch() }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashChild"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.backendVariable: backend.rawValue, Self.whereVariable: place]) { _, new in new }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()
        var batches: [[Int64]] = []
        var partial = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while batches.count < 150, ContinuousClock.now < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            partial += String(decoding: chunk, as: UTF8.self)
            while let newline = partial.firstIndex(of: "\n") {
                let line = partial[..<newline]
                partial = String(partial[partial.index(after: newline)...])
                if line.hasPrefix("BATCH ") { batches.append(line.dropFirst(6).split(separator: ",").compactMap { Int64($0) }) }
            }
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationStatus == SIGKILL)
        try #require(batches.count >= 150, "the child reported only \(batches.count) batches")

        let reported = Set(batches.joined())
        let last = Set(batches.suffix(1).joined())
        try await site.withStore { store in
            let everything = try await (0..<5).asyncFlatMap { try await store.history(lock: "lock-\($0)", since: nil, limit: 1_000_000) }
            let ids = Set(everything.map(\.id))
            #expect(reported.isSubset(of: ids), "a committed event is gone")
            // At most the one batch in flight at the kill committed unreported, and whole.
            #expect(ids.count == reported.count || ids.count == reported.count + Self.batchSize, "\(ids.count) stored, \(reported.count) reported")
            let undelivered = try await store.undelivered(limit: 1_000_000).map(\.id)
            #expect(undelivered == undelivered.sorted())
            // Each batch marked the one before it delivered, in the same transaction: only the
            // newest committed batch is left (the unreported one, if it committed).
            let unreported = ids.subtracting(reported)
            #expect(Set(undelivered) == (unreported.isEmpty ? last : unreported), "\(undelivered.count) undelivered")
        }
        try await site.stop()
    }
}

/// The child's side: the parent's SQLite file or PostgreSQL server.
struct CrashSite {
    var backend: Backend
    var `where`: String

    func withStore(_ body: @Sendable (any BridgeStore) async throws -> Void) async throws {
        try await StoreSite.open(backend, place: `where`, body)
    }
}

extension Sequence {
    func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out += try await transform(element) }
        return out
    }
}
