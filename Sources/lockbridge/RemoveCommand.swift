import ArgumentParser
import JSON
import LockAPI

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Forget a lock that is gone for good.",
        discussion: """
            The bridge clears the lock's retained topics and its Home Assistant entities; its audit history stays. \
            Only an offline lock can be removed, and it comes back if it ever reports again. \(ClientExit.help)
            """)
    @OptionGroup var broker: BrokerOptions
    @Argument(help: "The lock id.") var lock: String

    func validate() throws {
        guard LockID(lock) != nil else { throw ValidationError("\"\(lock)\" is not a lock id") }
    }

    func run() async throws {
        try await runClient {
            let link = try await broker.connect()
            _ = try await link.request(.remove(lock: LockID(lock)!))
            await link.close()
            print("remove \(lock): ok")
        }
    }
}
