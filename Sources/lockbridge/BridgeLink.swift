import Foundation
import JSON
import LockAPI
import MQTT

/// A client's connection to the bridge: commands answered with their result and bridge requests
/// answered with their response, both as MQTT 5 request/response under `<base>/reply/`.
struct BridgeLink: Sendable {
    let client: MosquittoClient
    let topics: PublicTopics
    let timeout: Double

    init(client: MosquittoClient, base: String, timeout: Double) {
        self.client = client
        self.topics = PublicTopics(base: base)
        self.timeout = timeout
    }

    /// Answers larger than a command: `locks` for a whole fleet runs to megabytes.
    static let answerLimits = JSONLimits(maxBytes: 256 * 1024 * 1024, maxDepth: 16)

    func close() async { await client.disconnect() }

    /// Sends a command to `lock` and returns its result, or nil when none came within `wait` seconds.
    /// The command gets a fresh `request_id` and `issued_at`.
    func command(_ lock: LockID, _ command: JSONObject, wait: Double? = nil) async throws -> JSONObject? {
        let requestID = "cli-\(UUID().uuidString.lowercased())"
        var payload = command
        payload["request_id"] = .string(requestID)
        payload["issued_at"] = .string(RFC3339.format(Date()))
        return try await exchange(topics.lock(lock, .set), payload, token: requestID, wait: wait ?? timeout) {
            $0["request_id"]?.stringValue == requestID
        }
    }

    /// Sends the bridge request `name` and returns its `data`; a refused request throws.
    func request(_ name: String, _ fields: JSONObject = [:]) async throws -> JSONValue {
        let transaction = "cli-\(UUID().uuidString.lowercased())"
        var payload = fields
        payload["transaction"] = .string(transaction)
        let answer = try await exchange(topics.bridgeRequest(name), payload, token: transaction, wait: timeout) {
            $0["transaction"]?.stringValue == transaction
        }
        guard let answer else { throw noAnswer }
        guard answer["status"]?.stringValue == "ok" else {
            let error = answer["error"]?.objectValue
            let code = error?["code"]?.stringValue ?? "error"
            throw ClientFailure(
                "\(name): \(code): \(error?["message"]?.stringValue ?? "refused")",
                exitCode: code == "not_found" ? ClientExit.unavailable : code == "invalid_field" ? ClientExit.usage : ClientExit.refused)
        }
        return answer["data"] ?? .null
    }

    var noAnswer: ClientFailure {
        ClientFailure(
            "no answer from the bridge within \(formatSeconds(timeout)) (is lockbridge run up, on base topic \"\(topics.base)\"?)",
            exitCode: ClientExit.unavailable)
    }

    /// Publishes `payload` with a Response Topic of its own and waits for the matching answer.
    private func exchange(
        _ topic: String, _ payload: JSONObject, token: String, wait: Double, matches: @escaping @Sendable (JSONObject) -> Bool
    ) async throws -> JSONObject? {
        let replyTopic = "\(topics.replyPrefix)\(token)"
        let replies = try await client.subscribe(replyTopic, options: SubscribeOptions(qos: .atLeastOnce))
        try await client.publish(
            topic, payload: try payload.serializedBytes(), qos: .atLeastOnce, retain: false,
            properties: MQTTProperties(responseTopic: replyTopic, correlationData: Array(token.utf8)))
        return try await firstMatch(in: replies, within: wait) { message in
            guard let answer = try? JSON.parseObject(message.payload, limits: Self.answerLimits), matches(answer) else { return nil }
            return answer
        }
    }
}

/// The first element of `stream` that `transform` accepts, or nil after `seconds`.
func firstMatch<T: Sendable>(
    in stream: AsyncStream<MQTTMessage>, within seconds: Double, _ transform: @escaping @Sendable (MQTTMessage) -> T?
) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            for await message in stream {
                if let value = transform(message) { return value }
            }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
}
