import ArgumentParser
import JSON
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

    /// Sends `command`, waits for its result, prints it and exits with the matching code.
    /// - Parameters:
    ///   - codeKey: where the remote code goes: `code`, or `auth_code` when `code` is the new code.
    ///   - wait: seconds to wait for the result (defaults to `--timeout`).
    func send(_ command: JSONObject, codeKey: String = "code", wait: Double? = nil) async throws {
        try await runClient {
            var payload = command
            if let code = try code.read() { payload[codeKey] = .string(code) }
            let link = try await broker.connect()
            let result = try await link.command(LockID(lock)!, payload, wait: wait)
            await link.close()
            let name = command["command"]?.stringValue ?? "command"
            guard let result else { throw link.noAnswer }
            if result["status"]?.stringValue == "ok" {
                print("\(name) \(lock): ok\(result["duplicate"]?.boolValue == true ? " (duplicate)" : "")")
                return
            }
            let error = result["error"]?.objectValue
            let code = error?["code"]?.stringValue ?? "error"
            throw ClientFailure("\(name) \(lock): \(code): \(error?["message"]?.stringValue ?? "refused")", exitCode: ClientExit.forError(code))
        }
    }
}

/// A command that sends one fixed payload to one lock and reports its result.
protocol FixedLockCommand: AsyncParsableCommand {
    static var payload: JSONObject { get }
    var target: LockTarget { get }
}

extension FixedLockCommand {
    func run() async throws { try await target.send(Self.payload) }
}

struct LockLockCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock", abstract: "Lock a lock and wait for the result.", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var payload: JSONObject { ["command": "lock"] }
}

struct UnlockCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Unlock a lock and wait for the result.",
        discussion: "The remote code, when the lock requires one, comes from --code-file, --ask-code or LOCKBRIDGE_CODE, never from the command line. " + ClientExit.help)
    @OptionGroup var target: LockTarget
    static var payload: JSONObject { ["command": "unlock"] }
}

struct OpenCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Unlatch the door (unlock and pull the latch) and wait for the result.", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var payload: JSONObject { ["command": "open"] }
}
