import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, whose PID this process alone reaps.
///
/// Foundation's `Process` did not notice a child's exit under the test runner, so the fixture
/// owns its PIDs directly: it signals only these, and `waitpid` tells it when they are gone.
final class Spawned: Sendable {
    let pid: pid_t
    private let status = SharedBox<Int32?>(nil)

    /// Starts `path` with `arguments`; stdout and stderr go to `outputFile` (or /dev/null).
    init(_ path: String, _ arguments: [String], environment: [String: String]? = nil, outputFile: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let target = outputFile ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        // Dispatch's worker threads block signals, and a spawned child inherits that mask: it
        // would then ignore SIGTERM. Give it an empty mask and default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, env)
        guard rc == 0 else { throw FixtureError("cannot start \(path): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitStatus(blocking: true)
        }
    }

    /// Whether it still runs (reaps it once it has exited).
    var isRunning: Bool { waitStatus(blocking: false) == nil }

    /// Its exit code, or 128 + signal number when a signal ended it; nil while it runs.
    var exitCode: Int32? {
        guard let raw = waitStatus(blocking: false) else { return nil }
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Blocks until it exits; for short helper tools only.
    func waitForExit() -> Int32 {
        _ = waitStatus(blocking: true)
        return exitCode ?? -1
    }

    private func waitStatus(blocking: Bool) -> Int32? {
        status.withLock { known in
            if let known { return known }
            var raw: Int32 = 0
            let rc = waitpid(pid, &raw, blocking ? 0 : WNOHANG)
            if rc == pid { known = raw }
            return known
        }
    }
}
