import ArgumentParser
import LockAPI
import LockCore

struct ModeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mode", abstract: "Set the lock's operating mode.",
        discussion: """
            normal: everything works. vacation: keypad codes refused except the override. \
            privacy: keypad, fob, phone and remote unlock refused. no_remote: remote lock/unlock/open refused. \
            passage: stays unlocked. \(ClientExit.help)
            """)
    @OptionGroup var target: LockTarget
    @Argument(help: "normal, vacation, privacy, no_remote or passage.", transform: Self.mode) var mode: LockMode

    static func mode(_ text: String) throws -> LockMode {
        guard let mode = LockMode(rawValue: text) else {
            throw ValidationError("unknown mode \"\(text)\"; use one of " + LockMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return mode
    }
    func run() async throws { try await target.send(.setMode(mode)) }
}

struct RestartCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Power-cycle a lock (the cure for a stuck radio or a hung lock).", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var action: PublicAction { .restart }
}

struct RefreshCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh", abstract: "Ask a lock to republish its state and credentials.", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var action: PublicAction { .refresh }
}

struct FactoryResetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factory-reset", abstract: "Erase every code, fob, phone and setting of a lock.",
        discussion: "Needs --confirm with the lock id again, so a slip of the finger cannot wipe the wrong lock. \(ClientExit.help)")
    @OptionGroup var target: LockTarget
    @Option(help: "The lock id again, to confirm.") var confirm: String
    func validate() throws {
        guard confirm == target.lock else { throw ValidationError("--confirm must repeat the lock id \"\(target.lock)\"") }
    }
    func run() async throws { try await target.send(.factoryReset(confirm: confirm)) }
}

struct AckFaultCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack-fault", abstract: "Acknowledge the override_used fault, which otherwise clears after 24 h.", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var action: PublicAction { .ackFault(.overrideUsed) }
}

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Change a lock's settings (any subset).", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    @Option(help: "Seconds before the lock relocks itself after an unlock; 0 turns it off.") var autoRelock: Int?
    @Option(help: "Wrong codes before a lockout, 3…10.") var wrongCodeLimit: Int?
    @Option(help: "Seconds of the first lockout, 30…3600 (doubling on each further one).") var lockout: Int?
    @Option(help: "Require the remote code for unlock, open and credential changes: true or false.") var requireCodeForRemote: Bool?

    func validate() throws {
        guard autoRelock != nil || wrongCodeLimit != nil || lockout != nil || requireCodeForRemote != nil else {
            throw ValidationError("give at least one of --auto-relock, --wrong-code-limit, --lockout, --require-code-for-remote")
        }
    }

    func run() async throws {
        let patch = LockConfigPatch(
            autoRelockSeconds: autoRelock, wrongCodeLimit: wrongCodeLimit, lockoutSeconds: lockout, requireCodeForRemote: requireCodeForRemote)
        try await target.send(.setConfig(patch))
    }
}
