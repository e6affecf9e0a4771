import AuditLog
import Foundation
import Logging
import LockAPI
import MQTT
import Synchronization

/// One message for the broker, in order; `auditID` marks an outbox record to confirm on PUBACK.
struct Publication: Sendable {
    var topic: String
    var payload: [UInt8]
    var retain = false
    var properties = MQTTProperties()
    var auditID: Int64?
}

extension BridgeService {
    /// Carries out the core's outputs. Events go to SQLite before they go anywhere else.
    func execute(_ outputs: [BridgeOutput], _ sink: AsyncStream<Publication>.Continuation) {
        for output in outputs {
            switch output {
            case .publish(let topic, let payload, let retain, let properties):
                sink.yield(Publication(topic: topic, payload: payload, retain: retain, properties: properties))
            case .event(let lock, let category, let topic, let payload, let epoch, let seq):
                do {
                    // The exact last seq survives a crash, so a restart asks for just what it missed;
                    // written in the record's own transaction (one commit per event, not two).
                    let id = if let epoch, let seq {
                        try store.appendSequenced(lock: lock.rawValue, category: category, topic: topic, payload: payload, at: Date(), epoch: epoch, seq: seq)
                    } else {
                        try store.append(lock: lock.rawValue, category: category, topic: topic, payload: payload, at: Date(), epoch: nil, seq: nil)
                    }
                    sink.yield(Publication(topic: topic, payload: payload, auditID: id))
                } catch {
                    // Still publish: an event late in the log beats an event lost.
                    logger.info("audit log write failed", metadata: ["lock.id": "\(lock)", "error": "\(error)"])
                    sink.yield(Publication(topic: topic, payload: payload))
                }
            case .device(let lock, let payload, let mac):
                sink.yield(Publication(
                    topic: deviceTopics.lock(lock, .cmd), payload: payload,
                    properties: MQTTProperties(userProperties: [UserProperty(DeviceSigner.property, mac)])))
            case .resend(let lock, let payload, let mac):
                sink.yield(Publication(
                    topic: deviceTopics.lock(lock, .resend), payload: payload,
                    properties: MQTTProperties(userProperties: [UserProperty(DeviceSigner.property, mac)])))
            case .remember(let lock, let requestID, let result, let final):
                do {
                    _ = try store.remember(lock: lock.rawValue, requestID: requestID, result: result, at: Date(), replacing: final)
                } catch {
                    logger.info("cannot remember a request id", metadata: ["lock.id": "\(lock)", "error": "\(error)"])
                }
            case .readmit(let lock):
                do {
                    try store.readmitLock(lock.rawValue)
                } catch {
                    logger.info("cannot readmit a removed lock", metadata: ["lock.id": "\(lock)", "error": "\(error)"])
                }
            }
        }
    }

    /// What was written to the outbox but never confirmed (a crash, an outage): sent first, in order.
    func resendUndelivered(_ sink: AsyncStream<Publication>.Continuation) {
        do {
            let pending = try store.undelivered(limit: 1_000_000)
            if !pending.isEmpty { logger.info("resending undelivered events", metadata: ["count": "\(pending.count)"]) }
            for record in pending { sink.yield(Publication(topic: record.topic, payload: record.payload, auditID: record.id)) }
        } catch {
            logger.info("cannot read the outbox", metadata: ["error": "\(error)"])
        }
    }

    /// Publishes in order; a second task confirms outbox records as their PUBACKs arrive.
    func publish(_ outbox: AsyncStream<Publication>) async {
        let (receipts, confirm) = AsyncStream.makeStream(of: (PublishReceipt, Int64?).self)
        let waiting = Atomic<Int>(0)
        let confirmer = Task { await confirmDeliveries(receipts, waiting: waiting) }
        for await item in outbox {
            do {
                let receipt = try await client.send(item.topic, payload: item.payload, qos: .atLeastOnce, retain: item.retain, properties: item.properties)
                waiting.add(1, ordering: .relaxed)
                confirm.yield((receipt, item.auditID))
            } catch {
                logger.info("publish failed", metadata: ["mqtt.topic": "\(item.topic)", "error": "\(error)"])
            }
        }
        confirm.finish()
        await confirmer.value
    }

    /// Marks outbox records delivered as their PUBACKs arrive: in one transaction per batch, written
    /// once nothing else is waiting or `confirmBatch` records have built up, instead of one
    /// transaction per event. A crash before the batch is written only means those events are
    /// sent again at the next start (at least once, never lost).
    private func confirmDeliveries(_ receipts: AsyncStream<(PublishReceipt, Int64?)>, waiting: borrowing Atomic<Int>) async {
        var acknowledged: [Int64] = []
        for await (receipt, auditID) in receipts {
            waiting.subtract(1, ordering: .relaxed)
            do {
                try await receipt.acknowledged()
                if let auditID { acknowledged.append(auditID) }
            } catch {
                logger.info("publish not confirmed", metadata: ["mqtt.topic": "\(receipt.topic)", "error": "\(error)"])
            }
            if acknowledged.count >= Self.confirmBatch || waiting.load(ordering: .relaxed) == 0 {
                markDelivered(&acknowledged)
            }
        }
        markDelivered(&acknowledged)
    }

    private func markDelivered(_ ids: inout [Int64]) {
        if ids.isEmpty { return }
        do {
            try store.markDelivered(ids)
        } catch {
            logger.info("cannot mark events delivered; they are sent again at the next start", metadata: ["count": "\(ids.count)", "error": "\(error)"])
        }
        ids.removeAll(keepingCapacity: true)
    }

    /// At most this many PUBACKed records wait for one `markDelivered` transaction.
    static let confirmBatch = 256
}
