import ArgumentParser
import JSON

struct ModeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mode", abstract: "Set the lock's operating mode.",
        discussion: """
            normal: everything works. vacation: keypad codes refused except the override. \
            privacy: keypad, fob, phone and remote unlock refused. no_remote: remote lock/unlock/open refused. \
            passage: stays unlocked. \(ClientExit.help)
            """)
    enum Mode: String, ExpressibleByArgument, CaseIterable { case normal, vacation, privacy, no_remote, passage }
    @OptionGroup var target: LockTarget
    @Argument(help: "normal, vacation, privacy, no_remote or passage.") var mode: Mode
    func run() async throws { try await target.send(["command": "set_mode", "mode": .string(mode.rawValue)]) }
}

struct RestartCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Power-cycle a lock (the cure for a stuck radio or a hung lock).", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var payload: JSONObject { ["command": "restart"] }
}

struct RefreshCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh", abstract: "Ask a lock to republish its state and credentials.", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var payload: JSONObject { ["command": "refresh"] }
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
    func run() async throws { try await target.send(["command": "factory_reset", "confirm": .string(confirm)]) }
}

struct AckFaultCommand: FixedLockCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack-fault", abstract: "Acknowledge the override_used fault, which otherwise clears after 24 h.", discussion: ClientExit.help)
    @OptionGroup var target: LockTarget
    static var payload: JSONObject { ["command": "ack_fault", "fault": "override_used"] }
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
        var command: JSONObject = ["command": "set_config"]
        if let autoRelock { command["auto_relock_s"] = .int(Int64(autoRelock)) }
        if let wrongCodeLimit { command["wrong_code_limit"] = .int(Int64(wrongCodeLimit)) }
        if let lockout { command["lockout_s"] = .int(Int64(lockout)) }
        if let requireCodeForRemote { command["require_code_for_remote"] = .bool(requireCodeForRemote) }
        try await target.send(command)
    }
}
