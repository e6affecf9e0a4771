public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A private mosquitto for one test: its own port, config and directory.
///
/// It only ever signals the PID it started itself; other brokers on this machine are never touched.
public final class Broker: Sendable {
    public let port: Int
    /// Holds the config, log, password and ACL files, persistence and TLS material.
    public let directory: URL
    public let options: BrokerOptions
    private let process = SharedBox<Spawned?>(nil)

    /// Starts a broker on a free port and waits until it accepts connections.
    public static func start(_ options: BrokerOptions = BrokerOptions()) async throws -> Broker {
        var lastError: (any Error)?
        // Another process may grab the port between our probe and mosquitto's bind: try again.
        for _ in 0..<5 {
            let broker = try Broker(port: Sockets.freePort(), options: options)
            do {
                try await broker.launch()
                return broker
            } catch {
                lastError = error
                broker.removeFiles()
            }
        }
        throw lastError ?? FixtureError("could not start mosquitto")
    }

    private init(port: Int, options: BrokerOptions) throws {
        self.port = port
        self.options = options
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lockbridge-broker-\(port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try BrokerFiles.writeConfig(options, port: port, in: directory)
    }

    deinit {
        process.withLock { $0 = nil }  // Spawned's deinit kills it if it still runs
        removeFiles()
    }

    /// `mqtt://127.0.0.1:<port>` (or `mqtts://`).
    public var url: String { "\(options.tls ? "mqtts" : "mqtt")://127.0.0.1:\(port)" }
    /// The CA that signed this broker's certificate (with `tls`).
    public var caFile: String { directory.appendingPathComponent("ca.crt").path }
    /// A CA that did not sign it, for wrong-CA tests.
    public var otherCAFile: String { directory.appendingPathComponent("other-ca.crt").path }
    /// The broker's PID while it runs.
    public var pid: Int32? { process.withLock { $0?.isRunning == true ? $0?.pid : nil } }
    /// What the broker logged, for assertions and failure reports.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? ""
    }

    private func launch() async throws {
        let logged = log.utf8.count
        let mosquitto = try Spawned(
            "/usr/sbin/mosquitto", ["-c", directory.appendingPathComponent("mosquitto.conf").path],
            outputFile: directory.appendingPathComponent("stderr.log").path)
        process.withLock { $0 = mosquitto }
        let deadline = ContinuousClock.now + .seconds(10)
        // Ready once this mosquitto says it runs: a port that accepts may be another broker's
        // that took the same free port first (ours then fails to bind and exits; seen once as
        // "Not authorized" in BrokerACLTests, from the other broker's password file).
        while !Sockets.accepts(port: port) || !ServerLog.says(log, " running", after: logged) {
            guard mosquitto.isRunning else {
                throw FixtureError("mosquitto on port \(port) exited at start: \(log)")
            }
            guard ContinuousClock.now < deadline else {
                try await stop()
                throw FixtureError("mosquitto on port \(port) did not accept connections within 10 s")
            }
            try await Task.sleep(for: .milliseconds(10))  // poll until the deadline
        }
    }

    /// Stops this broker (SIGTERM, which also saves persistence) and waits for it to exit.
    public func stop() async throws {
        try await signal(SIGTERM)
    }

    /// Kills this broker without letting it save anything.
    public func kill9() async throws {
        try await signal(SIGKILL)
    }

    private func signal(_ signal: Int32) async throws {
        guard let running = process.withLock({ $0 }), running.isRunning else { return }
        running.send(signal)
        try await waitUntil(10, "mosquitto (pid \(running.pid)) to exit") { !running.isRunning }
    }

    /// Starts the same broker again, on the same port with the same files.
    public func restart() async throws {
        try await stop()
        try await launch()
    }

    /// Starts it after `stop()`.
    public func startAgain() async throws {
        try await launch()
    }

    private func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }
}
