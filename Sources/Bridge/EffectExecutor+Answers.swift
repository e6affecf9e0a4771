import AuditLog
import BridgeCore
import Foundation
import JSON
import LockAPI
import Logging
import MQTT

/// The answers the executor completes from the store and the broker: `health` and `history`.
extension EffectExecutor {
    func respond(_ route: ResponseRoute, _ data: () async throws -> JSONValue) async -> [Publication] {
        let response: BridgeResponse
        do {
            response = BridgeResponse(data: try await data(), transaction: route.transaction)
        } catch {
            response = BridgeResponse(error: BridgeRequestError(code: "internal_error", message: "\(error)"), transaction: route.transaction)
        }
        return BridgeMachine.respond(route, response, PublicTopics(base: configuration.baseTopic)).compactMap {
            if case .publish(let p) = $0 { return p }
            return nil
        }
    }

    func healthReport(_ health: HealthAnswer) async throws -> JSONValue {
        let counts = try await store.counts()
        let mqtt = client.statistics
        let queue = inputs.statistics
        let c = health.counters
        func int(_ value: Int) -> JSONValue { .int(Int64(value)) }
        return .object([
            "broker": .object([
                "connected": .bool(client.isConnected), "received": int(mqtt.received), "published": int(mqtt.published), "dropped": int(mqtt.dropped),
                "reconnects": int(max(0, mqtt.connects - 1)),
            ]),
            "locks": .object(["known": int(health.knownLocks), "online": int(health.onlineLocks)]),
            "queues": .object([
                "outbox_undelivered": int(counts.undelivered), "commands_in_flight": int(health.commandsInFlight),
                "input_depth": int(queue.depth), "input_high_water": int(queue.highWater), "input_full_waits": int(queue.fullWaits),
                "input_overflows": int(queue.overflows),
            ]),
            "audit": .object(["records": int(counts.records), "remembered_requests": int(counts.requests)]),
            "counters": .object([
                "commands": int(c.commands), "rejected_commands": int(c.rejectedCommands), "invalid_lock_ids": int(c.invalidLockIDs),
                "bad_device_messages": int(c.badDeviceMessages), "duplicate_events": int(c.duplicateEvents), "sequence_gaps": int(c.sequenceGaps),
                "timeouts": int(c.timeouts),
                "probes": int(c.probes), "probe_timeouts": int(c.probeTimeouts),
            ]),
            "started_at": .time(health.startedAt),
        ])
    }

    func history(_ query: HistoryQuery) async throws -> JSONValue {
        .array(try await store.history(lock: query.lock, since: query.since, limit: query.limit).compactMap { record in
            guard var event = try? JSON.parseObject(record.payload) else { return nil }
            event["category"] = .string(record.category)
            return .object(event)
        })
    }
}
