@testable import AuditLog
import Foundation
import Testing

@Suite("Opening the database")
struct OpeningTests {
    @Test func createsMissingDirectoriesAndUsesWALWithSynchronousNormal() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("state/audit/audit.sqlite")
        let store = try AuditStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.pragma("journal_mode") == "wal")
        // 1 is NORMAL.
        #expect(try store.pragma("synchronous") == "1")
    }

    @Test func aDirectoryThatCannotBeCreatedNamesThePath() throws {
        let directory = try TemporaryDirectory()
        // A regular file where a directory should be: fails even for root.
        let blocker = directory.path("not-a-directory")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let path = blocker + "/sub/audit.sqlite"

        let error = #expect(throws: AuditStoreError.self) { try AuditStore(path: path) }
        #expect(error?.message.contains(path) == true)
        #expect(error?.description == error?.message)
    }

    @Test func aPathThatIsADirectoryNamesThePath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("a-directory")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)

        let error = #expect(throws: AuditStoreError.self) { try AuditStore(path: path) }
        #expect(error?.message.contains(path) == true)
    }

    @Test func aFileThatIsNotADatabaseNamesThePath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("audit.sqlite")
        try Data(repeating: 0x41, count: 4_096).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: AuditStoreError.self) { try AuditStore(path: path) }
        #expect(error?.message.contains(path) == true)
    }

    @Test func reopeningRunsNoMigrationTwice() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("audit.sqlite")
        for n in 0..<3 {
            let store = try AuditStore(path: path)
            try store.appendEvent(n)
        }
        #expect(try AuditStore(path: path).counts().records == 3)
    }

    /// Every hot statement finds its rows through an index (O(log n)) and sorts nothing.
    @Test(arguments: AuditSQL.all)
    func hotStatementsUseAnIndex(sql: String) throws {
        let store = try AuditStore.inMemory()
        let plan = try store.queryPlan(sql)
        let scans = plan.filter { $0.hasPrefix("SCAN") && !$0.contains("USING") }
        #expect(scans.isEmpty, "full scan in \(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "sort in \(plan)")
    }
}
