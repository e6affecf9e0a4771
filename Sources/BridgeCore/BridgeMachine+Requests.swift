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

    typealias RequestHandler = @Sendable (inout BridgeMachine, BridgeRequest, ResponseRoute, Date) throws(BridgeRequestError) -> RequestOutcome

    /// Every request the bridge answers, by name (``BridgeRequest`` has already read its fields).
    static let requestHandlers: [String: RequestHandler] = baseHandlers.merging(planHandlers) { first, _ in first }

    private static let baseHandlers: [String: RequestHandler] = [
        "locks": { machine, request, _, _ throws(BridgeRequestError) in
            // The whole fleet, or one lock with {"lock": id}.
            guard case .locks(let lock) = request else { throw mismatched(request) }
            var records = machine.locks.values.sorted { $0.id < $1.id }
            if let lock { records = [machine.locks[try machine.known(lock)]!] }
            return .answer(.array(records.map { record in
                .object(PublicLockSummary(id: record.id.rawValue, online: record.online, state: StatePayload.state(record)).object)
            }))
        },
        "credentials": { machine, request, _, _ throws(BridgeRequestError) in
            guard case .credentials(let lock) = request else { throw mismatched(request) }
            return .answer(.object(LockContext.credentialsObject(machine.locks[try machine.known(lock)]!, machine.settings)))
        },
        "remove": { machine, request, _, _ throws(BridgeRequestError) in
            guard case .remove(let lock) = request else { throw mismatched(request) }
            let id = try machine.known(lock)
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
            // Any lock the audit log holds, known now or not.
            guard case .history(let lock, let since, let limit) = request else { throw mismatched(request) }
            return .deferred(.answerHistory(HistoryQuery(route: route, lock: lock.rawValue, since: since, limit: limit)))
        },
    ]

    /// A handler given another request than its own: a bug in the table, answered as one.
    static func mismatched(_ request: BridgeRequest) -> BridgeRequestError {
        BridgeRequestError(code: "internal_error", message: "request \"\(request.name)\" reached the wrong handler")
    }

    mutating func request(_ message: RequestMessage, now: Date) -> [BridgeEffect] {
        let changing = BridgeRequest.changing.contains(message.name)
        // A retained request is a stale one: the changing ones are refused and cleared (spec
        // 7.2, as commands are); the others were always ignored.
        if message.retained && (!changing || message.payload.isEmpty) { return [] }
        // A changing request that waited in the session queue while the bridge was away runs
        // once this connection's fence is back, and only if its issued_at is still fresh.
        guard !changing || message.retained || fence.admit(message) != nil else { return [] }
        let (parsed, transaction) = BridgeRequest.parse(
            name: message.name, payload: message.payload, now: now, maxAge: configuration.commandMaxAge, minCodeLength: configuration.minCodeLength)
        let reply = message.responseTopic.flatMap { publicTopics.isReplyTopic($0) ? $0 : nil }
        let route = ResponseRoute(
            name: message.name, transaction: transaction, replyTopic: reply, correlation: reply == nil ? nil : message.correlation)
        if message.retained {
            let clear = BridgeEffect.publish(Publication(topic: publicTopics.bridgeRequest(message.name), payload: [], retain: true))
            let refusal = BridgeRequestError(code: "retained_rejected", message: "a retained plan request is never acted on; it was cleared")
            return [clear] + Self.respond(route, BridgeResponse(error: refusal, transaction: route.transaction), publicTopics)
        }
        // Several bridges: a request about one lock is its owner's to answer, the others shard 0's.
        if cluster != nil {
            let shard = Self.shard(of: parsed)
            guard cluster!.view.mine[shard] != nil else {
                // Nobody holds the shard yet (a start, a takeover): the request waits for its owner.
                if !cluster!.view.held.contains(shard) { cluster!.waitingRequests.append((message, now)) }
                return []
            }
        }
        do throws(BridgeRequestError) {
            let request = try parsed.get()
            guard let handler = Self.requestHandlers[request.name] else { throw Self.mismatched(request) }
            switch try handler(&self, request, route, now) {
            case .answer(let data, let effects): return effects + Self.respond(route, BridgeResponse(data: data, transaction: route.transaction), publicTopics)
            case .deferred(let effect): return [effect]
            }
        } catch {
            return Self.respond(route, BridgeResponse(error: error, transaction: route.transaction), publicTopics)
        }
    }

    /// The shard whose owner answers a request (spec 8): the lock's for a request about one lock, else 0.
    static func shard(of parsed: Result<BridgeRequest, BridgeRequestError>) -> Int {
        switch parsed {
        case .success(.credentials(let lock)), .success(.remove(let lock)), .success(.history(let lock, _, _)), .success(.locks(let lock?)):
            Shards.shard(lock)
        default: 0
        }
    }

    /// The response on `bridge/response/<name>`, and on the reply topic when there is one.
    public static func respond(_ route: ResponseRoute, _ response: BridgeResponse, _ topics: PublicTopics) -> [BridgeEffect] {
        let payload = response.payload
        var out: [BridgeEffect] = [.publish(Publication(topic: topics.bridgeResponse(route.name), payload: payload))]
        if let topic = route.replyTopic { out.append(.publish(Publication(topic: topic, payload: payload, correlation: route.correlation))) }
        return out
    }

    /// `id`, which must be a lock the bridge knows.
    func known(_ id: LockID) throws(BridgeRequestError) -> LockID {
        guard locks[id] != nil else { throw BridgeRequestError(code: "not_found", message: "no lock \"\(id.rawValue)\" is known to the bridge") }
        return id
    }
}
