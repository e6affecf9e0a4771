import MQTT
import Locking

/// Counts access events by lock and seq on the driver's loop thread, so a duplicate is not
/// counted twice and a missing one shows as loss.
final class EventTally: Sendable {
    private struct State {
        var seen = Set<UInt64>()
        var duplicates = 0
        var unreadable = 0
        var last: ContinuousClock.Instant?
    }
    private let state = Locked(State())
    private let expected: Int
    private let topicHead: Int
    private static let method = Array("\"mechanical_key\"".utf8)
    private static let suffix = "/event/access"

    /// Events arrive on `<base>/<lock>/event/access`.
    init(base: String, expected: Int) {
        self.expected = expected
        topicHead = base.utf8.count + 1
    }

    func record(_ message: MQTTMessage) {
        guard Payload.contains(message.payload, Self.method) else { return }  // e.g. an auto-relock
        let utf8 = Array(message.topic.utf8)
        let lockEnd = utf8.count - Self.suffix.utf8.count
        guard lockEnd > topicHead, let dash = utf8[topicHead..<lockEnd].lastIndex(of: UInt8(ascii: "-")),
            let index = Int(String(decoding: utf8[(dash + 1)..<lockEnd], as: UTF8.self)),
            let seq = Payload.int("seq", in: message.payload)
        else {
            state.withLock { $0.unreadable += 1 }
            return
        }
        let now = ContinuousClock.now
        state.withLock { s in
            if s.seen.insert(UInt64(index) << 32 | UInt64(seq)).inserted {
                if s.seen.count == expected { s.last = now }
            } else {
                s.duplicates += 1
            }
        }
    }

    var unique: Int { state.withLock { $0.seen.count } }
    var duplicates: Int { state.withLock { $0.duplicates } }
    var unreadable: Int { state.withLock { $0.unreadable } }
    /// When the last expected event arrived.
    var completedAt: ContinuousClock.Instant? { state.withLock { $0.last } }
}
