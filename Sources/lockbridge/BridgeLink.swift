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
    func command(_ lock: LockID, _ action: PublicAction, code: SecretCode?, wait: Double? = nil) async throws -> PublicResult? {
        let requestID = "cli-\(UUID().uuidString.lowercased())"
        let request = CommandRequest(requestID: requestID, issuedAt: Date(), code: code, action: action)
        return try await exchange(topics.lock(lock, .set), request.payload(), token: requestID, wait: wait ?? timeout) { payload in
            (try? PublicResult(payload: payload)).flatMap { $0.requestID == requestID ? $0 : nil }
        }
    }

    /// Sends a bridge request and returns its `data`; a refused request throws.
    func request(_ request: BridgeRequest) async throws -> JSONValue {
        let transaction = "cli-\(UUID().uuidString.lowercased())"
        let name = request.name
        let answer = try await exchange(topics.bridgeRequest(name), request.payload(transaction: transaction), token: transaction, wait: timeout) { payload in
            (try? BridgeResponse(payload: payload, limits: Self.answerLimits)).flatMap { $0.transaction == .string(transaction) ? $0 : nil }
        }
        guard let answer else { throw noAnswer }
        if let error = answer.error {
            throw ClientFailure(
                "\(name): \(error.code): \(error.message)",
                exitCode: error.code == "not_found" ? ClientExit.unavailable : error.code == "invalid_field" ? ClientExit.usage : ClientExit.refused)
        }
        return answer.data
    }

    var noAnswer: ClientFailure {
        ClientFailure(
            "no answer from the bridge within \(formatSeconds(timeout)) (is lockbridge run up, on base topic \"\(topics.base)\"?)",
            exitCode: ClientExit.unavailable)
    }

    /// Publishes `payload` with a Response Topic of its own and waits for the matching answer.
    private func exchange<Answer: Sendable>(
        _ topic: String, _ payload: [UInt8], token: String, wait: Double, read: @escaping @Sendable ([UInt8]) -> Answer?
    ) async throws -> Answer? {
        let replyTopic = "\(topics.replyPrefix)\(token)"
        let replies = try await client.subscribe(replyTopic, options: SubscribeOptions(qos: .atLeastOnce))
        try await client.publish(
            topic, payload: payload, qos: .atLeastOnce, retain: false,
            properties: MQTTProperties(responseTopic: replyTopic, correlationData: Array(token.utf8)))
        return try await firstMatch(in: replies, within: wait) { read($0.payload) }
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
