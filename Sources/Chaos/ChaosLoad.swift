import Foundation
import Locking
import MQTT
import TestSupport

/// The load: key turns on every lock in turn through the sim topic, and now and then a remote
/// `lock`/`unlock` with its own request id, a fifth of them sent twice (a client's retry).
final class ChaosLoad: Sendable {
    let stack: ChaosStack
    let client: MosquittoClient
    let interval: Duration
    private let state = Locked((actions: 0, ids: [String]()))

    init(stack: ChaosStack, client: MosquittoClient, actionsPerSecond: Double) {
        self.stack = stack
        self.client = client
        interval = .milliseconds(Int(1000 / actionsPerSecond))
    }

    var actions: Int { state.withLock { $0.actions } }
    var requestIDs: [String] { state.withLock { $0.ids } }

    func run() async {
        var n = 0
        let run = UUID().uuidString.prefix(6).lowercased()
        while !Task.isCancelled {
            let lock = stack.locks[n % stack.locks.count]
            let turn = (n / stack.locks.count) % 2 == 0 ? "unlock" : "lock"
            if n % 25 == 24 {
                let id = "chaos-\(run)-\(n)"
                let command = #"{"command":"\#(turn)","request_id":"\#(id)","issued_at":"\#(ISO8601DateFormatter().string(from: Date()))"}"#
                if await send("\(stack.base)/\(lock)/set", command) {
                    state.withLock { $0.ids.append(id) }
                    if n % 125 == 124 { _ = await send("\(stack.base)/\(lock)/set", command) }
                }
            } else if await send("\(stack.prefix)/\(lock)/sim", #"{"action":"key","turn":"\#(turn)"}"#) {
                state.withLock { $0.actions += 1 }
            }
            n += 1
            try? await Task.sleep(for: interval)  // the load's pace
        }
    }

    /// Publishes at QoS 1 and waits for the PUBACK, for at most 2 s (the broker may be down).
    private func send(_ topic: String, _ text: String) async -> Bool {
        let client = client
        return (try? await withDeadline(2, "publish") { try await client.publish(topic, text: text, qos: .atLeastOnce) }) != nil
    }
}
