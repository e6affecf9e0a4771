public import MQTT
import Synchronization

/// Subscribes and keeps every message, so a test can wait for the one it expects.
public final class MessageCollector: Sendable {
    private let inbox = SharedBox<[MQTTMessage]>([])
    private let task: Task<Void, Never>

    /// Subscribes `client` to `filter` and starts collecting.
    public init(_ client: any MQTTClient, _ filter: String, options: SubscribeOptions = SubscribeOptions()) async throws {
        let stream = try await client.subscribe(filter, options: options)
        let inbox = self.inbox
        task = Task {
            for await message in stream { inbox.withLock { $0.append(message) } }
        }
    }

    deinit { task.cancel() }

    /// Everything received so far.
    public var messages: [MQTTMessage] { inbox.withLock { $0 } }

    /// Waits for the first message that satisfies `predicate`, removes it and returns it.
    public func next(
        within seconds: Double = 5, _ what: String = "a message",
        where predicate: @escaping @Sendable (MQTTMessage) -> Bool = { _ in true }
    ) async throws -> MQTTMessage {
        try await withDeadline(seconds, what) {
            while true {
                let hit = self.inbox.withLock { list -> MQTTMessage? in
                    guard let index = list.firstIndex(where: predicate) else { return nil }
                    return list.remove(at: index)
                }
                if let hit { return hit }
                try await Task.sleep(for: .milliseconds(5))  // poll until the deadline
            }
        }
    }

    /// Waits until at least `count` messages satisfy `predicate`, and returns them.
    public func collect(
        _ count: Int, within seconds: Double = 5, _ what: String = "messages",
        where predicate: @escaping @Sendable (MQTTMessage) -> Bool = { _ in true }
    ) async throws -> [MQTTMessage] {
        try await waitUntil(seconds, "\(count) \(what)") {
            self.messages.filter(predicate).count >= count
        }
        return messages.filter(predicate)
    }
}
