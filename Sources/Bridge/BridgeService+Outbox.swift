import AuditLog
import BridgeCore
import Logging
import MQTT
import Synchronization

extension BridgeService {
    /// Marks outbox records delivered as their PUBACKs arrive: in one transaction per batch, written
    /// once nothing else is waiting or `confirmBatch` records have built up. A crash before the
    /// batch is written only means those events are sent again at the next start (at least once).
    func confirmDeliveries(_ confirmations: AsyncStream<Confirmation>, inFlight: InFlight) async {
        var acknowledged: [Int64] = []
        for await confirmation in confirmations {
            inFlight.queued.subtract(1, ordering: .relaxed)
            do {
                try await confirmation.receipt.acknowledged()
                acknowledged.append(confirmation.auditID)
            } catch {
                // Not confirmed: the record stays in the outbox and goes out again after the reconnect.
                inFlight.remove([confirmation.auditID])
                logger.info("publish not confirmed", metadata: [LogKey.topic: "\(confirmation.receipt.topic)", LogKey.error: "\(error)"])
            }
            // Written once nothing else waits, so a burst's confirmations share one transaction.
            if acknowledged.count >= Self.confirmBatch || inFlight.queued.load(ordering: .relaxed) == 0 {
                markDelivered(&acknowledged, inFlight)
            }
        }
        markDelivered(&acknowledged, inFlight)
    }

    private func markDelivered(_ ids: inout [Int64], _ inFlight: InFlight) {
        if ids.isEmpty { return }
        do {
            try store.markDelivered(ids)
        } catch {
            logger.info("cannot mark events delivered; they are sent again later", metadata: [LogKey.count: "\(ids.count)", LogKey.error: "\(error)"])
        }
        inFlight.remove(ids)
        ids.removeAll(keepingCapacity: true)
    }

    /// Paced publications per 50 ms: 20,000 a second, 130,000 configs of 10,000 locks in 6.5 s.
    static let pacedChunk = 1000

    /// At most this many PUBACKed records wait for one `markDelivered` transaction.
    static let confirmBatch = 256

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
