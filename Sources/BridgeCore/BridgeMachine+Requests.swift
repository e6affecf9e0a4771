import Foundation
import JSON
public import LockAPI

/// Bridge requests on `<base>/bridge/request/<name>`, answered on `bridge/response/<name>`
/// (and on an MQTT 5 reply topic under `<base>/reply/`), dispatched from ``requestHandlers``.
extension BridgeMachine {
    /// What a handler produced: an answer now, or an effect that answers once the store is read.
    enum RequestOutcome {
        case answer(JSONValue, effects: [BridgeEffect] = [])
        case deferred(BridgeEffect)
    }

    typealias RequestHandler = @Sendable (inout BridgeMachine, JSONObject, ResponseRoute, Date) throws(BridgeRequestError) -> RequestOutcome

    /// Every request the bridge answers, by name.
    static let requestHandlers: [String: RequestHandler] = [
        "locks": { machine, request, _, _ throws(BridgeRequestError) in
            // The whole fleet, or one lock with {"lock": id}.
            let records = request["lock"] == nil
                ? machine.locks.values.sorted { $0.id < $1.id } : [machine.locks[try machine.knownLock(request)]!]
            return .answer(.array(records.map { record in
                var o = StatePayload.object(record)
                o["id"] = .string(record.id.rawValue)
                o["availability"] = .string(record.online ? "online" : "offline")
                return .object(o)
            }))
        },
        "credentials": { machine, request, _, _ throws(BridgeRequestError) in
            let id = try machine.knownLock(request)
            return .answer(.object(LockContext.credentialsObject(machine.locks[id]!, machine.settings)))
        },
        "remove": { machine, request, _, _ throws(BridgeRequestError) in
            let id = try machine.knownLock(request)
            guard machine.locks[id]?.online != true else {
                throw BridgeRequestError(code: "lock_online", message: "\(id) is online; remove a lock only once it is gone for good")
            }
            return .answer(.object(["lock": .string(id.rawValue)]), effects: machine.removeLock(id))
        },
        "health": { machine, _, route, _ throws(BridgeRequestError) in
            .deferred(.answerHealth(HealthAnswer(
                route: route, counters: machine.counters, knownLocks: machine.locks.count,
                onlineLocks: machine.locks.values.count(where: \.online), commandsInFlight: machine.locks.values.count { $0.pending != nil },
                startedAt: machine.startedAt)))
        },
        "history": { _, request, route, _ throws(BridgeRequestError) in
            guard let lock = request["lock"]?.stringValue, LockID(lock) != nil else {
                throw BridgeRequestError(code: "invalid_field", message: "history needs \"lock\": a lock id")
            }
            var since: Date?
            if let text = request["since"]?.stringValue {
                guard let date = RFC3339.parse(text) else { throw BridgeRequestError(code: "invalid_field", message: "since must be an RFC 3339 time") }
                since = date
            }
            let limit = Int(request["limit"]?.intValue ?? 100)
            guard (1...10_000).contains(limit) else { throw BridgeRequestError(code: "invalid_field", message: "limit must be within 1…10000") }
            return .deferred(.answerHistory(HistoryQuery(route: route, lock: lock, since: since, limit: limit)))
        },
    ]

    mutating func request(_ message: RequestMessage, now: Date) -> [BridgeEffect] {
        let request = (try? JSON.parseObject(message.payload)) ?? [:]
        let reply = message.responseTopic.flatMap { publicTopics.isReplyTopic($0) ? $0 : nil }
        let route = ResponseRoute(
            name: message.name, transaction: request["transaction"] ?? .null, replyTopic: reply, correlation: reply == nil ? nil : message.correlation)
        do throws(BridgeRequestError) {
            guard let handler = Self.requestHandlers[message.name] else {
                let known = Self.requestHandlers.keys.sorted().joined(separator: ", ")
                throw BridgeRequestError(code: "unknown_request", message: "unknown request \"\(message.name)\"; known: \(known)")
            }
            switch try handler(&self, request, route, now) {
            case .answer(let data, let effects): return effects + Self.respond(route, BridgeResponse(data: data, transaction: route.transaction), publicTopics)
            case .deferred(let effect): return [effect]
            }
        } catch {
            return Self.respond(route, BridgeResponse(error: error, transaction: route.transaction), publicTopics)
        }
    }

    /// The response on `bridge/response/<name>`, and on the reply topic when there is one.
    public static func respond(_ route: ResponseRoute, _ response: BridgeResponse, _ topics: PublicTopics) -> [BridgeEffect] {
        let payload = response.payload
        var out: [BridgeEffect] = [.publish(Publication(topic: topics.bridgeResponse(route.name), payload: payload))]
        if let topic = route.replyTopic { out.append(.publish(Publication(topic: topic, payload: payload, correlation: route.correlation))) }
        return out
    }

    /// The lock a request names in "lock", which must be one the bridge knows.
    func knownLock(_ request: JSONObject) throws(BridgeRequestError) -> LockID {
        guard let text = request["lock"]?.stringValue, let id = LockID(text) else {
            throw BridgeRequestError(code: "invalid_field", message: "\"lock\" must be a lock id")
        }
        guard locks[id] != nil else { throw BridgeRequestError(code: "not_found", message: "no lock \"\(text)\" is known to the bridge") }
        return id
    }
}
