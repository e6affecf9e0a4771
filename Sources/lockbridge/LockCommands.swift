import ArgumentParser
import LockAPI

/// The options of every command that acts on one lock: the broker, the lock, and the remote code.
struct LockTarget: ParsableArguments {
    @OptionGroup var broker: BrokerOptions
    @OptionGroup var code: CodeOptions
    @Argument(help: "The lock id, e.g. front-door.") var lock: String

    func validate() throws {
        guard LockID(lock) != nil else {
            throw ValidationError("\"\(lock)\" is not a lock id (a-z, 0-9, _ and -, up to 64 characters)")
        }
    }

    /// Sends `action`, waits for its result, prints it and exits with the matching code.
    /// The remote code, if any, goes where the command takes it (`code`, or `auth_code`).
    /// - Parameter wait: seconds to wait for the result (defaults to `--timeout`).
    func send(_ action: PublicAction, wait: Double? = nil) async throws {
        try await runClient {
            let remoteCode = try code.read().map { SecretCode($0) }
            let link = try await broker.connect()
            let result = try await link.command(LockID(lock)!, action, code: remoteCode, wait: wait)
            await link.close()
            guard let result else { throw link.noAnswer }
            guard let error = result.error else {
                print("\(action.name) \(lock): ok\(result.duplicate ? " (duplicate)" : "")")
                return
            }
            throw ClientFailure("\(action.name) \(lock): \(error.code): \(error.message)", exitCode: ClientExit.forError(error.code))
        }
    }
}

/// A command that sends one fixed action to one lock and reports its result.
protocol FixedLockCommand: AsyncParsableCommand {
    static var action: PublicAction { get }
    var target: LockTarget { get }
}

extension FixedLockCommand {
    func run() async throws { try await target.send(Self.action) }
}

struct LockLockCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock", abstract: "Lock a lock and wait for the result.", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var action: PublicAction { .lock }
}

struct UnlockCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Unlock a lock and wait for the result.",
        discussion: "The remote code, when the lock requires one, comes from --code-file, --ask-code or LOCKBRIDGE_CODE, never from the command line. " + ClientExit.help)
    @OptionGroup var target: LockTarget
    static var action: PublicAction { .unlock }
}

struct OpenCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Unlatch the door (unlock and pull the latch) and wait for the result.", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var action: PublicAction { .open }
}
