public import Foundation

/// A real executable of this package, run as a child process with its output captured.
public final class ChildProcess: Sendable {
    private let child: Spawned
    private let name: String
    /// Where its stdout and stderr go.
    public let outputFile: String

    /// The folder the package's executables are built into (beside the test bundle).
    public static var productsDirectory: URL {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // The test binary may sit inside an .xctest bundle directory.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "Contents" || dir.lastPathComponent == "MacOS" {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    /// Starts `name` (an executable product of this package) with `arguments`.
    public convenience init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        try self.init(path: Self.productsDirectory.appendingPathComponent(name).path, arguments, environment: environment)
    }

    /// Starts any program, such as a script of this repository, with `arguments`.
    public init(path: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        name = URL(fileURLWithPath: path).lastPathComponent
        outputFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log").path
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        child = try Spawned(path, arguments, environment: env, outputFile: outputFile)
    }

    deinit { try? FileManager.default.removeItem(atPath: outputFile) }

    public var pid: Int32 { child.pid }
    /// Everything it printed so far (stdout and stderr).
    public var text: String { (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { child.isRunning }
    public var exitCode: Int32? { child.exitCode }

    /// Waits until its output contains `needle`.
    public func waitForOutput(_ needle: String, within seconds: Double = 10) async throws {
        try await waitUntil(seconds, "\"\(needle)\" from \(name)") { self.text.contains(needle) }
    }

    /// Sends `signal` to this child only.
    public func send(_ signal: Int32) { child.send(signal) }

    /// Waits for it to exit and returns its exit code (128 + signal when a signal ended it).
    @discardableResult
    public func waitForExit(within seconds: Double = 10) async throws -> Int32 {
        try await waitUntil(seconds, "\(name) to exit") { !self.child.isRunning }
        return child.exitCode ?? -1
    }
}
