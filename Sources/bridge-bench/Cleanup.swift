import Dispatch
import Foundation
import Locking

/// Every process and temporary path the bench started, so that a failure, Ctrl-C or SIGTERM
/// still stops them. Only PIDs registered here are ever signalled: other brokers on this
/// machine are not ours.
enum Cleanup {
    private struct Owned {
        var pids: [Int32: String] = [:]
        var paths: Set<String> = []
    }
    private static let owned = Locked(Owned())
    /// Kept alive for the life of the process. Safe unsynchronised: written only by
    /// `installSignalHandlers`, once, at the top of main before any other task runs.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func track(_ pid: Int32?, _ name: String) {
        guard let pid else { return }
        owned.withLock { $0.pids[pid] = name }
    }

    /// A PID that was stopped and reaped the ordinary way.
    static func forget(_ pid: Int32?) {
        guard let pid else { return }
        _ = owned.withLock { $0.pids.removeValue(forKey: pid) }
    }

    static func track(path: String) { _ = owned.withLock { $0.paths.insert(path) } }

    /// SIGKILLs every tracked process, reaps it, and removes the tracked paths.
    static func killAll() {
        let (pids, paths) = owned.withLock { o in
            defer { o = Owned() }
            return (o.pids, o.paths)
        }
        for (pid, name) in pids.sorted(by: { $0.key > $1.key }) {
            // The newest first: the subject and emulator before the broker they talk to.
            if kill(pid, SIGKILL) == 0 {
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                FileHandle.standardError.write(Data("bridge-bench: stopped \(name) (pid \(pid))\n".utf8))
            }
        }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }

    /// On SIGINT, SIGTERM or SIGHUP: stop everything we started, then exit.
    static func installSignalHandlers() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\nbridge-bench: signal \(number), stopping what it started\n".utf8))
                killAll()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
