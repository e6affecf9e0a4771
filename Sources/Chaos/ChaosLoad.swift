import Foundation
import Locking
import MQTT
import TestSupport

/// The load: key turns on every lock in turn through the sim topic, every tenth action the
/// lock's code at the keypad (every third of those a wrong one), and now and then a remote
/// `lock`/`unlock` carrying the code, with its own request id, a fifth of them sent twice (a
/// client's retry). The codes must then appear nowhere but on `set` and `sim`.
final class ChaosLoad: Sendable {
    let stack: ChaosStack
    let client: MosquittoClient
    let interval: Duration
    private let state = Locked((actions: 0, ids: [String]()))

    /// The code every lock has in slot 1, and the wrong one tried; scanned for at the end.
    static let code = "604817"
    static let wrongCode = "290471"

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
                let command = #"{"command":"\#(turn)","request_id":"\#(id)","code":"\#(Self.code)","issued_at":"\#(ISO8601DateFormatter().string(from: Date()))"}"#
                if await send("\(stack.base)/\(lock)/set", command) {
                    state.withLock { $0.ids.append(id) }
                    if n % 125 == 124 { _ = await send("\(stack.base)/\(lock)/set", command) }
                }
            } else if n % 10 == 9 {
                let code = n % 30 == 29 ? Self.wrongCode : Self.code
                if await send("\(stack.prefix)/\(lock)/sim", #"{"action":"keypad","code":"\#(code)"}"#) { state.withLock { $0.actions += 1 } }
            } else if await send("\(stack.prefix)/\(lock)/sim", #"{"action":"key","turn":"\#(turn)"}"#) {
                state.withLock { $0.actions += 1 }
            }
            n += 1
            try? await Task.sleep(for: interval)  // the load's pace
        }
    }

    /// Gives every lock the code in slot 1 before the faults start.
    func equip() async throws {
        for lock in stack.locks {
            let command = #"{"command":"set_code","slot":1,"name":"Owner","code":"\#(Self.code)","request_id":"equip-\#(lock)"}"#
            guard await send("\(stack.base)/\(lock)/set", command) else { throw ChaosFailure("could not equip \(lock)") }
        }
    }

    /// Publishes at QoS 1 and waits for the PUBACK, for at most 2 s (the broker may be down).
    private func send(_ topic: String, _ text: String) async -> Bool {
        let client = client
        return (try? await withDeadline(2, "publish") { try await client.publish(topic, text: text, qos: .atLeastOnce) }) != nil
    }
}
