import ArgumentParser
import Foundation
import LockAPI

@main
struct LockBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockbridge",
        abstract: "An MQTT bridge for smart door locks, and its command-line client.",
        discussion: """
            `lockbridge run` is the bridge: it turns the locks' device link into the public MQTT API \
            (state, events, commands with results, availability, alerts, audit history). The other \
            subcommands are clients that talk to a running bridge over MQTT only. \(ClientExit.help)
            """,
        version: Release.version,
        subcommands: [
            RunCommand.self, StatusCommand.self, LockLockCommand.self, UnlockCommand.self, OpenCommand.self,
            EventsCommand.self, HistoryCommand.self, CodesCommand.self, FobsCommand.self, PhonesCommand.self,
            ModeCommand.self, ConfigCommand.self, RestartCommand.self, RefreshCommand.self, AckFaultCommand.self,
            FactoryResetCommand.self, RemoveCommand.self, PlanCommand.self,
        ])

    /// Like the default entry point, except that a usage error exits 2 (as documented), not 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ClientExit.usage)
            }
            exit(withError: error)
        }
    }
}
