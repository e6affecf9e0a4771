import AuditLog
import Foundation
import Logging
import JSON
import LockAPI
import MQTT

/// Bridge requests on `<base>/bridge/request/<name>`, answered on `bridge/response/<name>`.
extension BridgeService {
    func consumeRequests(_ requests: AsyncStream<MQTTMessage>, _ sink: AsyncStream<Publication>.Continuation) async {
        for await message in requests {
            guard let name = publicTopics.requestName(message.topic), !message.retain else { continue }
            let request = (try? JSON.parseObject(message.payload)) ?? [:]
            var response: JSONObject
            do {
                response = ["status": "ok", "data": try answer(name, request, sink), "error": .null]
            } catch let error as RequestError {
                response = ["status": "error", "data": .null, "error": .object(["code": .string(error.code), "message": .string(error.message)])]
            } catch {
                response = ["status": "error", "data": .null, "error": .object(["code": "internal_error", "message": .string("\(error)")])]
            }
            response["transaction"] = request["transaction"] ?? .null
            let payload = BridgeCore.bytes(response)
            sink.yield(Publication(topic: publicTopics.bridgeResponse(name), payload: payload))
            if let topic = message.properties.responseTopic, publicTopics.isReplyTopic(topic) {
                sink.yield(Publication(topic: topic, payload: payload, properties: MQTTProperties(correlationData: message.properties.correlationData)))
            }
        }
    }

    private func answer(_ name: String, _ request: JSONObject, _ sink: AsyncStream<Publication>.Continuation) throws -> JSONValue {
        switch name {
        case "locks":
            // The whole fleet, or one lock with {"lock": id}.
            let only = try request["lock"].map { _ in try knownLock(request) }
            let now = Date()
            return .array(core.with { core in
                let records = only.map { [core.locks[$0]].compactMap { $0 } } ?? core.locks.values.sorted { $0.id < $1.id }
                return records.map { record in
                    var o = StatePayload.object(record, now: now)
                    o["id"] = .string(record.id.rawValue)
                    o["availability"] = .string(record.online ? "online" : "offline")
                    return .object(o)
                }
            })
        case "credentials":
            let id = try knownLock(request)
            return .object(core.with { core in core.locks[id].map(core.credentialsObject) ?? [:] })
        case "remove":
            let id = try knownLock(request)
            guard !core.with({ $0.locks[id]?.online ?? false }) else {
                throw RequestError(code: "lock_online", message: "\(id) is online; remove a lock only once it is gone for good")
            }
            try remove(id, sink)
            return .object(["lock": .string(id.rawValue)])
        case "health":
            let counts = try store.counts()
            let mqtt = client.statistics
            let (counters, total, online, pending) = core.with { core in
                (core.counters, core.locks.count, core.locks.values.filter(\.online).count, core.locks.values.filter { $0.pending != nil }.count)
            }
            return .object([
                "broker": .object(["connected": .bool(client.isConnected), "received": .int(Int64(mqtt.received)), "published": .int(Int64(mqtt.published)), "dropped": .int(Int64(mqtt.dropped)), "reconnects": .int(Int64(max(0, mqtt.connects - 1)))]),
                "locks": .object(["known": .int(Int64(total)), "online": .int(Int64(online))]),
                "queues": .object(["outbox_undelivered": .int(Int64(counts.undelivered)), "commands_in_flight": .int(Int64(pending))]),
                "audit": .object(["records": .int(Int64(counts.records)), "remembered_requests": .int(Int64(counts.requests))]),
                "counters": .object([
                    "commands": .int(Int64(counters.commands)), "rejected_commands": .int(Int64(counters.rejectedCommands)),
                    "invalid_lock_ids": .int(Int64(counters.invalidLockIDs)), "bad_device_messages": .int(Int64(counters.badDeviceMessages)),
                    "duplicate_events": .int(Int64(counters.duplicateEvents)), "sequence_gaps": .int(Int64(counters.sequenceGaps)),
                    "timeouts": .int(Int64(counters.timeouts)),
                ]),
                "started_at": .string(RFC3339.format(startedAt)),
            ])
        case "history":
            guard let lock = request["lock"]?.stringValue, LockID(lock) != nil else {
                throw RequestError(code: "invalid_field", message: "history needs \"lock\": a lock id")
            }
            var since: Date?
            if let text = request["since"]?.stringValue {
                guard let date = RFC3339.parse(text) else { throw RequestError(code: "invalid_field", message: "since must be an RFC 3339 time") }
                since = date
            }
            let limit = Int(request["limit"]?.intValue ?? 100)
            guard (1...10_000).contains(limit) else { throw RequestError(code: "invalid_field", message: "limit must be within 1…10000") }
            let records = try store.history(lock: lock, since: since, limit: limit)
            return .array(records.compactMap { record in
                guard var event = try? JSON.parseObject(record.payload) else { return nil }
                event["category"] = .string(record.category)
                return .object(event)
            })
        default:
            throw RequestError(code: "unknown_request", message: "unknown request \"\(name)\"; known: locks, credentials, remove, health, history")
        }
    }
}

extension BridgeService {
    /// Forgets `id`: its retained topics and discovery configs are cleared and SQLite marks it
    /// removed (its audit history stays). A live report from it brings it back.
    func remove(_ id: LockID, _ sink: AsyncStream<Publication>.Continuation) throws {
        try store.removeLock(id.rawValue)
        core.run({ $0.removeLock(id) }, then: { execute($0, sink) })
        infoDirty.set()
        logger.info("lock removed", metadata: ["lock.id": "\(id)"])
    }

    /// The lock a request names in "lock", which must be one the bridge knows.
    fileprivate func knownLock(_ request: JSONObject) throws -> LockID {
        guard let text = request["lock"]?.stringValue, let id = LockID(text) else {
            throw RequestError(code: "invalid_field", message: "\"lock\" must be a lock id")
        }
        guard core.with({ $0.locks[id] != nil }) else { throw RequestError(code: "not_found", message: "no lock \"\(text)\" is known to the bridge") }
        return id
    }
}

struct RequestError: Error {
    var code: String
    var message: String
}
