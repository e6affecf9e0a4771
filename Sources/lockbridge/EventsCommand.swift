import Foundation
import ArgumentParser
import JSON
import LockAPI
import MQTT

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Show a lock's recent events, and follow new ones live.",
        discussion: """
            With LOCK: the last --limit events from the bridge's audit log, then (with --follow) new ones as they happen. \
            Without LOCK: --follow is needed, and every lock's new events are shown. Ctrl-C stops following.
            """)

    enum Category: String, ExpressibleByArgument, CaseIterable { case access, fault, credential, system, plan }

    @OptionGroup var broker: BrokerOptions
    @Argument(help: "A lock id; every lock when omitted (with --follow).") var lock: String?
    @Flag(name: .shortAndLong, help: "Keep running and show new events as they happen.") var follow = false
    @Option(name: .customLong("category"), help: "Only this category: access, fault, credential, system or plan (access plans; repeatable).")
    var categories: [Category] = []
    @Option(help: "How many past events to show first (with LOCK).") var limit = 20
    @Option(help: "Stop after this many new events (with --follow).") var count: Int?
    @Flag(help: "One JSON object per line, with \"lock\" and \"category\" added.") var json = false

    func validate() throws {
        if let lock, LockID(lock) == nil { throw ValidationError("\"\(lock)\" is not a lock id") }
        if lock == nil && !follow { throw ValidationError("give a lock id, or --follow to watch every lock") }
        guard (0...10_000).contains(limit) else { throw ValidationError("--limit must be within 0…10000") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        try await runClient {
            let link = try await broker.connect()
            let topics = link.topics
            // Subscribe before reading the past, so nothing falls between the two.
            let live = follow ? try await link.client.subscribe("\(topics.base)/\(lock ?? "+")/event/+", options: SubscribeOptions(qos: .atLeastOnce)) : nil
            var shown = Set<[UInt8]>()
            if let lock, limit > 0 {
                let past = try await link.request(.history(lock: LockID(lock)!, since: nil, limit: limit))
                for case .object(var event) in past.arrayValue ?? [] {
                    let category = event.removeValue(forKey: "category")?.stringValue ?? "?"
                    if let bytes = try? event.serializedBytes() { shown.insert(bytes) }
                    show(lock: lock, category: category, event)
                }
            }
            guard let live else { return await link.close() }
            var remaining = count
            for await message in live {
                let parts = message.topic.split(separator: "/").map(String.init)
                guard parts.count >= 4, !shown.contains(message.payload), let event = try? JSON.parseObject(message.payload) else { continue }
                // Plan events come on bridge/event/plan and name their lock.
                guard show(lock: event["lock"]?.stringValue ?? parts[parts.count - 3], category: parts[parts.count - 1], event) else { continue }
                if let left = remaining {
                    remaining = left - 1
                    if left <= 1 { break }
                }
            }
            await link.close()
        }
    }

    /// Prints the event unless the category filter hides it; true when printed.
    @discardableResult
    private func show(lock: String, category: String, _ event: JSONObject) -> Bool {
        guard categories.isEmpty || categories.contains(where: { $0.rawValue == category }) else { return false }
        if json {
            // As the bridge sent it, with where it came from in front.
            var object: JSONObject = ["lock": .string(lock), "category": .string(category)]
            for (key, value) in event { object[key] = value }
            print((try? object.serialized()) ?? "{}")
        } else {
            print(EventLine.line(lock: lock, category: category, event))
        }
        fflush(nil)  // every stream: lines appear at once even through a pipe
        return true
    }
}
