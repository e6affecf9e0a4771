@testable import AuditLog
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real kill -9: this test binary runs itself again with only `crashChild` enabled, reads the
/// ids the child reports as committed, kills it with SIGKILL mid-stream, and opens its file.
@Suite("Crash")
struct CrashTests {
    static let childPathVariable = "AUDITLOG_CRASH_CHILD_DB"

    /// The child: appends, acknowledging two in three, and reports each call after it returned.
    /// Enabled only in the process `killedMidStreamLosesNothingCommitted` starts.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childPathVariable] != nil))
    func crashChild() throws {
        let path = try #require(ProcessInfo.processInfo.environment[Self.childPathVariable])
        let store = try AuditStore(path: path)
        // Bounded, so an orphaned child ends on its own.
        for n in 0..<200_000 {
            let id = try store.appendEvent(lock: "lock-\(n % 5)", n)
            report("appended \(id)")
            if n % 3 != 0 {
                try store.markDelivered(id)
                report("delivered \(id)")
            }
        }
    }

    private func report(_ line: String) {
        // Unbuffered: what the parent reads has been written before the kill.
        FileHandle.standardOutput.write(Data("AUDIT \(line)\n".utf8))
    }

    @Test func killedMidStreamLosesNothingCommitted() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("audit.sqlite")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashChild"]
        child.environment = ProcessInfo.processInfo.environment.merging(
            [Self.childPathVariable: path]) { _, new in new }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()

        var reports = ChildReports()
        let deadline = ContinuousClock.now + .seconds(60)
        while reports.appended.count < 1_500, ContinuousClock.now < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the child ended: it failed before it was killed
            reports.read(chunk)
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        // What the child wrote before it died is still in the pipe: read all of it.
        reports.read(output.fileHandleForReading.readDataToEndOfFile())
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(child.terminationStatus == SIGKILL)
        let appended = reports.appended
        let delivered = reports.delivered
        try #require(appended.count >= 1_500, "the child reported only \(appended.count) appends")

        let store = try AuditStore(path: path)
        let replay = try store.undelivered(limit: 1_000_000).map(\.id)
        #expect(replay == replay.sorted())
        #expect(Set(replay).count == replay.count)
        #expect(Set(replay).isDisjoint(with: delivered))
        // The one call in flight at the kill may have committed without being reported: an
        // append (one extra id) or the last record's markDelivered. Nothing else may differ.
        let last = try #require(appended.last)
        let expected = appended.filter { !delivered.contains($0) && $0 != last }
        #expect(Set(expected).isSubset(of: Set(replay)))
        let unreported = replay.filter { $0 > last }
        #expect(unreported.count <= 1)
        // The log itself lost nothing: every reported id is still in history.
        let history = try (0..<5).flatMap { try store.history(lock: "lock-\($0)", since: nil, limit: 1_000_000) }
        #expect(Set(appended).isSubset(of: Set(history.map(\.id))))
    }
}

/// What the crash child wrote on stdout, parsed line by line.
private struct ChildReports {
    var appended: [Int64] = []
    var delivered: Set<Int64> = []
    private var partial = ""

    mutating func read(_ chunk: Data) {
        partial += String(decoding: chunk, as: UTF8.self)
        while let newline = partial.firstIndex(of: "\n") {
            let words = partial[..<newline].split(separator: " ")
            partial = String(partial[partial.index(after: newline)...])
            guard words.count == 3, words[0] == "AUDIT", let id = Int64(words[2]) else { continue }
            if words[1] == "appended" { appended.append(id) } else { delivered.insert(id) }
        }
    }
}
