import ArgumentParser
import Foundation
import JSON
import LockAPI

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "A lock's events from the bridge's audit log, oldest first.",
        discussion: "Reads the `history` bridge request, which survives bridge restarts for the configured retention. \(ClientExit.help)")

    @OptionGroup var broker: BrokerOptions
    @Argument(help: "The lock id.") var lock: String
    @Option(help: "Only events at or after this time: RFC 3339 (2026-11-25T10:00:00Z) or an age such as 90s, 30m, 12h, 7d.")
    var since: String?
    @Option(help: "At most this many events, the newest ones (1…10000).") var limit = 100
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        guard LockID(lock) != nil else { throw ValidationError("\"\(lock)\" is not a lock id") }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be within 1…10000") }
        if let since, Self.time(since, now: Date()) == nil {
            throw ValidationError("--since must be an RFC 3339 time or an age such as 30m, 12h or 7d")
        }
    }

    func run() async throws {
        try await runClient {
            let request = BridgeRequest.history(lock: LockID(lock)!, since: since.flatMap { Self.time($0, now: Date()) }, limit: limit)
            let link = try await broker.connect()
            let events = try await link.request(request)
            await link.close()
            let list = (events.arrayValue ?? []).compactMap(\.objectValue)
            if list.isEmpty && !json { print("no events for \(lock)") }
            for var event in list {
                if json {
                    event["lock"] = .string(lock)
                    print(try event.serialized())
                } else {
                    let category = event.removeValue(forKey: "category")?.stringValue ?? "?"
                    print(EventLine.line(lock: lock, category: category, event))
                }
            }
        }
    }

    /// An RFC 3339 time, or `now` minus an age like `90s`, `30m`, `12h`, `7d`.
    static func time(_ text: String, now: Date) -> Date? {
        if let date = RFC3339.parse(text) { return date }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0, amount.isFinite else { return nil }
        return now.addingTimeInterval(-amount * unit)
    }
}
