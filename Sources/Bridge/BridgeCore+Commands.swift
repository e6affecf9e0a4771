import Foundation
import Logging
import JSON
import LockAPI
import LockCore
import MQTT

/// A command as it arrives on `<base>/<lock>/set`.
struct IncomingCommand {
    var topic: String
    var payload: [UInt8]
    var retained: Bool
    var properties: MQTTProperties
    /// Delivered before the bridge's post-connect fence came back: it waited in the session queue.
    var queued: Bool
}

/// Public commands: the safety rules of spec section 4, then a signed command to the lock.
extension BridgeCore {
    /// Handles one command; `known` looks up a stored result by request id (dedupe).
    mutating func command(_ incoming: IncomingCommand, now: Date, known: (LockID, String) -> [UInt8]?) -> [BridgeOutput] {
        guard let target = publicTopics.commandTarget(incoming.topic) else { return [] }
        counters.commands += 1
        guard case .lock(let id) = target else {
            counters.invalidLockIDs += 1
            logger.info("command for an invalid lock id ignored", metadata: ["mqtt.topic": "\(incoming.topic)"])
            return []
        }
        let reply = replyRoute(incoming.properties)
        // An empty retained message is the clearing of a retained command (ours, or anyone's):
        // nothing to answer, or the clear would echo back and be rejected and cleared forever.
        if incoming.retained && incoming.payload.isEmpty { return [] }
        guard var record = locks[id] else { return notFound(id, incoming.payload, reply: reply, now: now) }
        if incoming.retained {
            // Never act on a retained command, and remove it so it cannot fire later.
            var out = reject(id, requestID: nil, command: nil, LockError(.retainedRejected, "retained commands are never acted on"), reply: reply, now: now)
            out.insert(.publish(topic: incoming.topic, payload: [], retain: true), at: 0)
            return out
        }
        let request: CommandRequest
        switch CommandParser.parse(incoming.payload, now: now, maxAge: configuration.commandMaxAge, minCodeLength: configuration.minCodeLength) {
        case .success(let parsed): request = parsed
        case .failure(let rejection):
            // Unparsable payloads answer with request_id null; anything readable gets an id.
            let assigned = rejection.requestID ?? (rejection.error.code == .invalidJSON ? nil : "lb-\(UUID().uuidString.lowercased())")
            return reject(id, requestID: assigned, command: rejection.command, rejection.error, reply: reply, now: now)
        }
        let requestID = request.requestID ?? "lb-\(UUID().uuidString.lowercased())"
        let name = request.action.name
        if incoming.queued && request.issuedAt == nil {
            return reject(id, requestID: requestID, command: name, LockError(.expired, "queued while the bridge was away, with no issued_at to prove it is fresh"), reply: reply, now: now)
        }
        // The same id again while the first is still under way: it gets the first one's result.
        if record.pending?.requestID == requestID {
            record.pending!.repeats.append(reply)
            locks[id] = record
            return []
        }
        if let index = record.queue.firstIndex(where: { $0.requestID == requestID }) {
            record.queue[index].repeats.append(reply)
            locks[id] = record
            return []
        }
        if let stored = known(id, requestID) { return duplicate(id, stored, reply: reply) }
        if case .factoryReset(let confirm) = request.action, confirm != id.rawValue {
            return reject(id, requestID: requestID, command: name, LockError(.invalidField, "confirm must equal the lock id", field: "confirm"), reply: reply, now: now)
        }
        if case .ackFault(let fault) = request.action {
            var out: [BridgeOutput] = []
            clearFault(&record, fault, now: now, into: &out)
            locks[id] = record
            return out + [stateMessage(record, now: now)] + result(id, requestID, name, nil, reply: reply, now: now)
        }
        guard record.online else {
            return reject(id, requestID: requestID, command: name, LockError(.lockOffline, "the lock is offline"), reply: reply, now: now)
        }
        // One command in flight per lock; the next ones wait their turn (up to `queueLimit`),
        // except during a fob enrolment, which the spec says answers others with busy.
        if let pending = record.pending {
            guard pending.command != "enroll_fob", record.queue.count < Self.queueLimit else {
                return reject(id, requestID: requestID, command: name, LockError(.busy, "another command to this lock is in progress"), reply: reply, now: now)
            }
            record.queue.append(QueuedCommand(request: request, requestID: requestID, reply: reply))
            locks[id] = record
            return []
        }
        let out = dispatch(&record, request, requestID: requestID, reply: reply, now: now)
        locks[id] = record
        return out
    }

    static let queueLimit = 8

    /// Sends a validated command to the lock, signed, and waits for its ack.
    mutating func dispatch(
        _ record: inout LockRecord, _ request: CommandRequest, requestID: String, reply: ReplyRoute?, repeats: [ReplyRoute?] = [], now: Date
    ) -> [BridgeOutput] {
        let id = record.id
        let name = request.action.name
        guard record.online, let (salt, hasher) = record.hasher else {
            let error = LockError(.lockOffline, record.online ? "the lock has not reported its state yet" : "the lock is offline")
            return repeats.reduce(reject(id, requestID: requestID, command: name, error, reply: reply, now: now)) { out, repeatReply in
                out + reject(id, requestID: requestID, command: name, error, reply: repeatReply, now: now)
            }
        }
        let hash = { (code: String) in hasher.hash(code: code, salt: salt) }
        guard let lockCommand = request.action.lockCommand(hash: hash) else { return [] }
        commandCounter = max(commandCounter + 1, UInt64(now.timeIntervalSince1970 * 1_000_000))
        let device = DeviceCommand(
            requestID: requestID, counter: commandCounter, command: lockCommand, code: request.code.map { hash($0.reveal()) })
        guard let payload = try? device.payload() else { return [] }
        let wait = lockCommand.name == "enroll_fob" ? 65 : configuration.commandTimeout
        record.pending = PendingCommand(requestID: requestID, command: name, deadline: now.addingTimeInterval(wait), reply: reply, repeats: repeats)
        // Stored before the command leaves: should the bridge die before the lock answers, a retry
        // with this id after the restart gets this answer instead of a second actuation.
        let unknownOutcome = ResultPayload.bytes(
            requestID: requestID, command: name,
            error: LockError(.timeout, "the bridge stopped before the lock answered; check event/access for this request_id"), at: now)
        return [
            .remember(lock: id, requestID: requestID, result: unknownOutcome, final: false),
            .device(lock: id, payload: payload, mac: signer.mac(lock: id, payload: payload)),
        ]
    }

    /// After an answer or a timeout: the next queued command goes out.
    mutating func dispatchNext(_ record: inout LockRecord, now: Date) -> [BridgeOutput] {
        var out: [BridgeOutput] = []
        while record.pending == nil, !record.queue.isEmpty {
            let next = record.queue.removeFirst()
            out += dispatch(&record, next.request, requestID: next.requestID, reply: next.reply, repeats: next.repeats, now: now)
        }
        return out
    }

    /// The lock's answer to the command in flight.
    mutating func deviceAck(_ id: LockID, payload: [UInt8], now: Date) -> [BridgeOutput] {
        guard var record = locks[id], let pending = record.pending,
            let ack = try? JSON.parseObject(payload), ack["request_id"]?.stringValue == pending.requestID
        else { return [] }
        record.pending = nil
        var error: LockError?
        if ack["status"]?.stringValue != "ok" {
            let problem = ack["error"]?.objectValue
            let code = problem?["code"]?.stringValue.flatMap(LockErrorCode.init(rawValue:)) ?? .invalidCommand
            error = LockError(code, problem?["message"]?.stringValue ?? code.rawValue, field: problem?["field"]?.stringValue)
        }
        var out = result(id, pending.requestID, pending.command, error, reply: pending.reply, repeats: pending.repeats, now: now)
        if pending.command == "refresh" && error == nil {
            // Everything retained about the lock again, changed or not.
            out += [stateMessage(record, now: now), credentialsMessage(record, now: now)]
        }
        out += dispatchNext(&record, now: now)
        locks[id] = record
        return out
    }

    /// Publishes a result (and the MQTT 5 response) and remembers it under its request id.
    func result(
        _ id: LockID, _ requestID: String, _ command: String, _ error: LockError?, reply: ReplyRoute?, repeats: [ReplyRoute?] = [], now: Date
    ) -> [BridgeOutput] {
        let payload = ResultPayload.bytes(requestID: requestID, command: command, error: error, at: now)
        var out = deliver(id, payload, reply: reply) + [.remember(lock: id, requestID: requestID, result: payload, final: true)]
        for repeatReply in repeats { out += duplicate(id, payload, reply: repeatReply) }
        return out
    }

    mutating func reject(_ id: LockID, requestID: String?, command: String?, _ error: LockError, reply: ReplyRoute?, now: Date) -> [BridgeOutput] {
        counters.rejectedCommands += 1
        let payload = ResultPayload.bytes(requestID: requestID, command: command, error: error, at: now)
        return deliver(id, payload, reply: reply)
    }

    private func duplicate(_ id: LockID, _ stored: [UInt8], reply: ReplyRoute?) -> [BridgeOutput] {
        guard var original = try? JSON.parseObject(stored) else { return [] }
        original["duplicate"] = true
        return deliver(id, Self.bytes(original), reply: reply)
    }

    private mutating func notFound(_ id: LockID, _ payload: [UInt8], reply: ReplyRoute?, now: Date) -> [BridgeOutput] {
        // Rate-limited, and nothing is stored for a lock we do not know.
        if let last = notFoundAnswered[id], now.timeIntervalSince(last) < 1 { return [] }
        notFoundAnswered[id] = now
        if notFoundAnswered.count > 1024 { notFoundAnswered = notFoundAnswered.filter { now.timeIntervalSince($0.value) < 1 } }
        let request = try? JSON.parseObject(payload)
        let requestID = request?["request_id"]?.stringValue.flatMap { CommandParser.isValidRequestID($0) ? $0 : nil }
        let result = ResultPayload.bytes(
            requestID: requestID, command: request?["command"]?.stringValue, error: LockError(.notFound, "no lock with this id is known"), at: now)
        return deliver(id, result, reply: reply)
    }

    private func deliver(_ id: LockID, _ payload: [UInt8], reply: ReplyRoute?) -> [BridgeOutput] {
        var out: [BridgeOutput] = [.publish(topic: publicTopics.lock(id, .result), payload: payload, retain: false)]
        if let reply {
            out.append(.publish(topic: reply.topic, payload: payload, retain: false, properties: MQTTProperties(correlationData: reply.correlation)))
        }
        return out
    }

    /// Answers MQTT 5 requests only under `<base>/reply/`: the bridge must not publish with its
    /// own rights wherever a client points it.
    private func replyRoute(_ properties: MQTTProperties) -> ReplyRoute? {
        guard let topic = properties.responseTopic, publicTopics.isReplyTopic(topic) else { return nil }
        return ReplyRoute(topic: topic, correlation: properties.correlationData)
    }
}
