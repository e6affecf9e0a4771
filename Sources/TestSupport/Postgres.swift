public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL server for one test, like ``Broker``: `initdb` into its own temporary
/// directory, on a free port, loopback only.
///
/// Debian's server refuses to run as root, so the directory belongs to the `postgres` system
/// user and the server runs as that user (`runuser -u postgres --`). It is stopped by the PID in
/// its own `postmaster.pid`: other servers on this machine are never touched.
public final class Postgres: Sendable {
    public let port: Int
    public let directory: URL
    /// The role and database the tests use (trust authentication, loopback only).
    public static let user = "lockbridge"
    public static let database = "postgres"
    private let runner = SharedBox<Spawned?>(nil)
    /// Whether it offers TLS (``TLSMaterial``, in ``tlsDirectory``).
    public let tls: Bool
    /// `ca.crt` (the CA that signed the server's certificate) and `other-ca.crt`, with `tls`.
    public var tlsDirectory: URL { directory.appendingPathComponent("tls") }

    /// `postgres://lockbridge@127.0.0.1:<port>/postgres`.
    public var url: String { "postgres://\(Self.user)@127.0.0.1:\(port)/\(Self.database)" }
    var data: URL { directory.appendingPathComponent("data") }
    var log: String { (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? "" }

    /// Makes a new cluster and starts it; waits until it accepts connections. With `tls` it also
    /// offers TLS (`ssl=on`), with a certificate for 127.0.0.1 signed by `tlsDirectory/ca.crt`.
    public static func start(tls: Bool = false) async throws -> Postgres {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let server = try Postgres(port: Sockets.freePort(), tls: tls)
            do {
                try server.initialise()
                if tls { try server.makeTLSFiles() }
                try await server.launch()
                return server
            } catch {
                lastError = error
                server.removeFiles()
            }
        }
        throw lastError ?? FixtureError("could not start PostgreSQL")
    }

    private init(port: Int, tls: Bool) throws {
        self.port = port
        self.tls = tls
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("lockbridge-pg-\(port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let account = getpwnam("postgres") else { throw FixtureError("no postgres system user: install the postgresql package (make deps)") }
        let (uid, gid) = (account.pointee.pw_uid, account.pointee.pw_gid)
        guard chown(directory.path, uid, gid) == 0, chmod(directory.path, 0o700) == 0 else {
            throw FixtureError("cannot give \(directory.path) to the postgres user")
        }
    }

    deinit {
        // Immediate shutdown of what this fixture started, then its files.
        if let pid = postmasterPID { kill(pid, SIGQUIT) }
        runner.withLock { $0 = nil }
        removeFiles()
    }

    /// Where Debian keeps the server's programs (the newest version), else the PATH.
    static var binaries: String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        if let newest = versions.last { return "\(root)/\(newest)/bin" }
        return "/usr/bin"
    }

    private func initialise() throws {
        let initdb = try Spawned(
            "/usr/sbin/runuser",
            ["-u", "postgres", "--", "\(Self.binaries)/initdb", "-D", data.path, "-U", Self.user, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            outputFile: directory.appendingPathComponent("initdb.log").path)
        guard initdb.waitForExit() == 0 else {
            let output = (try? String(contentsOf: directory.appendingPathComponent("initdb.log"), encoding: .utf8)) ?? ""
            throw FixtureError("initdb failed: \(output)")
        }
    }

    /// The server reads its key as `postgres`, and refuses one that others may read.
    private func makeTLSFiles() throws {
        try FileManager.default.createDirectory(at: tlsDirectory, withIntermediateDirectories: true)
        try TLSMaterial.make(in: tlsDirectory)
        guard let account = getpwnam("postgres") else { throw FixtureError("no postgres system user") }
        for name in ["", "/server.crt", "/server.key"] {
            guard chown(tlsDirectory.path + name, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw FixtureError("cannot give the TLS files to the postgres user")
            }
        }
        chmod(tlsDirectory.path + "/server.key", 0o600)
    }

    private func launch() async throws {
        let logged = log.utf8.count
        var settings = ["listen_addresses=127.0.0.1", "fsync=off", "max_connections=200"]
        if tls { settings += ["ssl=on", "ssl_cert_file=\(tlsDirectory.path)/server.crt", "ssl_key_file=\(tlsDirectory.path)/server.key"] }
        let server = try Spawned(
            "/usr/sbin/runuser",
            ["-u", "postgres", "--", "\(Self.binaries)/postgres", "-D", data.path, "-p", "\(port)", "-k", directory.path]
                + settings.flatMap { ["-c", $0] },
            outputFile: directory.appendingPathComponent("server.log").path)
        runner.withLock { $0 = server }
        let deadline = ContinuousClock.now + .seconds(30)
        // Ours once it says so: the port may accept for another server that took it first.
        while !Sockets.accepts(port: port) || postmasterPID == nil || !ServerLog.says(log, "ready to accept connections", after: logged) {
            guard server.isRunning else { throw FixtureError("PostgreSQL on port \(port) exited at start: \(log)") }
            guard ContinuousClock.now < deadline else {
                try await stop()
                throw FixtureError("PostgreSQL on port \(port) did not accept connections within 30 s")
            }
            try await Task.sleep(for: .milliseconds(20))  // poll until the deadline
        }
    }

    /// Runs `sql` with `psql` over the server's Unix socket (no TLS) and returns its unaligned
    /// output: how tests look at the server's side of a session (`pg_stat_ssl`).
    public func psql(_ sql: String) throws -> String {
        let out = directory.appendingPathComponent("psql-\(UUID().uuidString.prefix(8)).out")
        defer { try? FileManager.default.removeItem(at: out) }
        let code = try Spawned(
            "\(Self.binaries)/psql", ["-h", directory.path, "-p", "\(port)", "-U", Self.user, "-d", Self.database, "-At", "-c", sql],
            outputFile: out.path
        ).waitForExit()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        guard code == 0 else { throw FixtureError("psql failed (exit \(code)): \(text)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The server's own PID, from its `postmaster.pid`, while it runs.
    public var postmasterPID: Int32? {
        guard let text = try? String(contentsOf: data.appendingPathComponent("postmaster.pid"), encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = Int32(first), kill(pid, 0) == 0
        else { return nil }
        return pid
    }

    /// A fast shutdown (SIGINT: sessions are ended, nothing is lost), waiting for the exit.
    public func stop() async throws { try await signal(SIGINT) }

    /// Kills the server at once, as a crash would.
    public func kill9() async throws { try await signal(SIGKILL) }

    private func signal(_ signal: Int32) async throws {
        guard let pid = postmasterPID else { return }
        kill(pid, signal)
        try await waitUntil(30, "PostgreSQL (pid \(pid)) to exit") { kill(pid, 0) != 0 }
        let server = runner.withLock { $0 }
        if let server { try await waitUntil(10, "runuser to exit") { !server.isRunning } }
    }

    /// Starts it again after `stop()`, on the same port with the same data.
    public func startAgain() async throws { try await launch() }

    private func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }
}
