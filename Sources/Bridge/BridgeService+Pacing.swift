import AuditLog
import BridgeCore
import Logging
import MQTT
import Synchronization

extension BridgeService {
    /// Paced publications per 50 ms: 20,000 a second, 120,000 configs of 10,000 locks in 6 s.
    static let pacedChunk = 1000

    /// Publishes long lists (every config and state, after Home Assistant restarts) in chunks,
    /// so 10,000 locks do not arrive as one burst, beside the executor's own flow.
    func publishPaced(_ lists: AsyncStream<[PacedPublication]>) async {
        for await list in lists {
            var sent = 0
            for entry in list {
                if Task.isCancelled { return }
                if sent >= Self.pacedChunk {
                    sent = 0
                    try? await Task.sleep(for: .milliseconds(50))
                }
                if sent == 0 { await waitForTurn() }
                for publication in entry.publications {
                    do {
                        try client.sendNow(publication.topic, payload: publication.payload, retain: publication.retain).forget()
                    } catch {
                        logger.info("paced publish failed", metadata: [LogKey.topic: "\(publication.topic)", LogKey.error: "\(error)"])
                    }
                    sent += 1
                }
            }
        }
    }

    /// Second in line: while the executor has inputs waiting (10,000 snapshots at a cold start),
    /// their state goes first, for a second at most, so configs never starve; and never more
    /// than the executor's limit ahead of the broker.
    private func waitForTurn() async {
        var waited = 0
        while inputs.statistics.depth > 0, waited < 100, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        await client.waitForRoom(below: EffectExecutor.maxUnacknowledged)
    }
}
