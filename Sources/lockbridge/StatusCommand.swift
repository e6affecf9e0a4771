import ArgumentParser
import JSON
import LockAPI

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every lock, or one lock in detail: state, door, battery, availability, ways in, faults.",
        discussion: "Asks the bridge (the `locks` request), so it shows what the bridge knows right now. \(ClientExit.help)")

    @OptionGroup var broker: BrokerOptions
    @Argument(help: "One lock id for a detailed view; every lock when omitted.") var lock: String?
    @Flag(help: "Print JSON for scripts: an array of every lock, or the one lock's object.") var json = false

    func validate() throws {
        if let lock, LockID(lock) == nil { throw ValidationError("\"\(lock)\" is not a lock id") }
    }

    func run() async throws {
        try await runClient {
            let link = try await broker.connect()
            let data = try await link.request(.locks(lock: lock.flatMap(LockID.init)))
            await link.close()
            if json {
                let one = lock == nil ? nil : data.arrayValue?.first
                return print(try (lock == nil ? data : one ?? .null).serialized())
            }
            let locks = try (data.arrayValue ?? []).map { value throws(JSONError) in
                guard let o = value.objectValue else { throw JSONError(.wrongType, field: "locks", detail: "expected an array of objects") }
                return try PublicLockSummary(json: o)
            }
            if let one = locks.first, lock != nil {
                print(StatusView.detail(one))
            } else {
                print(locks.isEmpty ? "the bridge knows no locks yet" : StatusView.table(locks))
            }
        }
    }
}
