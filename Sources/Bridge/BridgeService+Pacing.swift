import AuditLog
import BridgeCore
import Logging
import MQTT
import Synchronization

extension BridgeService {
    /// Paced publications per 50 ms: 20,000 a second, 130,000 configs of 10,000 locks in 6.5 s.
    static let pacedChunk = 1000

    /// Publishes long lists (every config and state, after Home Assistant restarts) in chunks,
    /// so 10,000 locks do not arrive as one burst, beside the executor's own flow.
    func publishPaced(_ lists: AsyncStream<[Publication]>) async {
        for await list in lists {
            var index = 0
            while index < list.count, !Task.isCancelled {
                // Second in line: while the executor has inputs waiting (10,000 snapshots at a
                // cold start), their state goes first; a second at most, so configs never starve.
                var waited = 0
                while inputs.statistics.depth > 0, waited < 100, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(10))
                    waited += 1
                }
                await client.waitForRoom(below: EffectExecutor.maxUnacknowledged)
                for publication in list[index..<min(index + Self.pacedChunk, list.count)] {
                    do {
                        try client.sendNow(publication.topic, payload: publication.payload, retain: publication.retain).forget()
                    } catch {
                        logger.info("paced publish failed", metadata: [LogKey.topic: "\(publication.topic)", LogKey.error: "\(error)"])
                    }
                }
                index += Self.pacedChunk
                // Only a long list pauses: a lock's own configs go out at once.
                if index < list.count { try? await Task.sleep(for: .milliseconds(50)) }
            }
        }
    }
}
