import Foundation
import JSON
import LockAPI
import LockCore
import Logging

/// Public commands: the safety rules, then a signed command to the lock, one at a time per lock.
extension BridgeMachine {
    /// A command as it arrives: held until this connection's fence returns, or handled now.
    mutating func admit(_ message: CommandMessage, now: Date) -> [BridgeEffect] {
        guard let ready = fence.admit(message) else { return [] }
        return command(ready, now: now)
    }

    /// Handles one command.
    mutating func command(_ message: CommandMessage, now: Date) -> [BridgeEffect] {
        guard let target = publicTopics.commandTarget(message.topic) else { return [] }
        // Several bridges: only the owner of the lock's shard answers; one nobody holds waits.
        if case .lock(let id) = target, !acts(for: id) { return orphanCommand(message, id, now: now) }
        counters.commands += 1
        guard case .lock(let id) = target else {
            counters.invalidLockIDs += 1
            logger.info("command for an invalid lock id ignored", metadata: ["mqtt.topic": "\(message.topic)"])
            return []
        }
        let reply = Self.replyRoute(message, publicTopics)
        // An empty retained message is the clearing of a retained command (ours, or anyone's):
        // nothing to answer, or the clear would echo back and be rejected and cleared forever.
        if message.retained && message.payload.isEmpty { return [] }
        let parsed = CommandParser.parse(message.payload, now: now, maxAge: configuration.commandMaxAge, minCodeLength: configuration.minCodeLength)
        if let error = SafetyRules.notRetained(message) {
            // Echo what can be read of it, so the sender can match the refusal to its command;
            // anything readable without an id gets one (spec 4). Cleared for unknown locks too,
            // or the broker would hand it to every bridge start.
            let (requestID, name) = echo(parsed)
            let out = reject(id, requestID: requestID, command: name, error, reply: reply, now: now)
            return [.publish(Publication(topic: message.topic, payload: [], retain: true))] + out
        }
        guard var record = locks[id] else { return notFound(id, parsed, reply: reply, now: now) }
        let request: CommandRequest
        switch parsed {
        case .success(let ok): request = ok
        case .failure(let rejection):
            // Unparsable payloads answer with request_id null; anything readable gets an id.
            let assigned = rejection.requestID ?? (rejection.error.code == .invalidJSON ? nil : assignedID())
            return reject(id, requestID: assigned, command: rejection.command, rejection.error, reply: reply, now: now)
        }
        let requestID = request.requestID ?? assignedID()
        let name = request.action.name
        if let error = SafetyRules.freshAfterOutage(message, request) { return reject(id, requestID: requestID, command: name, error, reply: reply, now: now) }
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
        if let stored = results.result(lock: id, requestID: requestID) { return Self.duplicate(id, stored, reply: reply, publicTopics) }
        if let error = SafetyRules.confirmedReset(request, id) { return reject(id, requestID: requestID, command: name, error, reply: reply, now: now) }
        if case .ackFault(let fault) = request.action {
            return withLock(id, now: now) { context in
                context.clear(fault)
                context.publishState()
            }! + result(id, requestID, name, nil, reply: reply, now: now)
        }
        if let error = SafetyRules.reachable(record) ?? SafetyRules.capacity(record) {
            return reject(id, requestID: requestID, command: name, error, reply: reply, now: now)
        }
        if record.pending != nil || !claimed(record) {
            record.queue.append(QueuedCommand(request: request, requestID: requestID, reply: reply))
            locks[id] = record
            return []
        }
        let out = dispatch(&record, request, requestID: requestID, reply: reply, now: now)
        locks[id] = record
        return out
    }

    /// A request id for a command that came without one.
    func assignedID() -> String { "lb-\(newID())" }

    /// The `request_id` and `command` a refusal echoes: what the payload shows, with an id
    /// assigned to anything readable that has none (spec 4); null for an unreadable payload.
    func echo(_ parsed: Result<CommandRequest, CommandRejection>) -> (requestID: String?, command: String?) {
        switch parsed {
        case .success(let request): (request.requestID ?? assignedID(), request.action.name)
        case .failure(let rejection): (rejection.requestID ?? (rejection.error.code == .invalidJSON ? nil : assignedID()), rejection.command)
        }
    }

    /// Sends a validated command to the lock, signed, and waits for its ack.
    mutating func dispatch(
        _ record: inout LockRecord, _ request: CommandRequest, requestID: String, reply: ReplyRoute?, repeats: [ReplyRoute?] = [], now: Date
    ) -> [BridgeEffect] {
        let id = record.id
        let name = request.action.name
        guard record.snapshot != nil, record.online else {
            let error = SafetyRules.reachable(record) ?? LockError(.lockOffline, "the lock is offline")
            return ([reply] + repeats).flatMap { reject(id, requestID: requestID, command: name, error, reply: $0, now: now) }
        }
        // Codes leave sealed for this lock (device link v2); the lock hashes them itself.
        let seal = settings.codeSeal
        let sealed = { (code: String, field: String) in CodeHash(bytes: seal.seal(code, lock: id, field: field)) }
        guard let lockCommand = request.action.lockCommand(hash: { sealed($0, CodeSeal.newCodeField) }) else { return [] }
        let device = DeviceCommand(
            requestID: requestID, counter: nextCounter(now), command: lockCommand,
            code: request.code.map { sealed($0.reveal(), CodeSeal.remoteCodeField) }, ownerEpoch: ownerEpoch(id))
        guard let payload = try? device.payload() else { return [] }
        let wait = lockCommand.name == "enroll_fob" ? Self.enrolmentTimeout : configuration.commandTimeout
        record.pending = PendingCommand(requestID: requestID, command: name, deadline: now.addingTimeInterval(wait), reply: reply, repeats: repeats)
        // Stored before the command leaves: should the bridge die before the lock answers, a retry
        // with this id after the restart gets this answer instead of a second actuation.
        let unknownOutcome = ResultPayload.bytes(
            requestID: requestID, command: name,
            error: LockError(.timeout, "the bridge stopped before the lock answered; check event/access for this request_id"), at: now)
        let replacing = results.replacesBusy(lock: id, requestID: requestID)
        return [remember(id, requestID, unknownOutcome, final: replacing, now: now), .publish(signed(id, .cmd, payload))]
    }

    /// A fob enrolment waits this long for the tap (the lock's own window is 60 s).
    static let enrolmentTimeout: TimeInterval = 65

    /// After an answer or a timeout: the next queued command goes out.
    mutating func dispatchNext(_ record: inout LockRecord, now: Date) -> [BridgeEffect] {
        var out: [BridgeEffect] = []
        while record.pending == nil, !record.queue.isEmpty, claimed(record) {
            let next = record.queue.removeFirst()
            // Answered meanwhile (several bridges: by the lock's earlier owner, from the shared memory).
            if let stored = results.result(lock: record.id, requestID: next.requestID) {
                for reply in [next.reply] + next.repeats { out += Self.duplicate(record.id, stored, reply: reply, publicTopics) }
                continue
            }
            out += dispatch(&record, next.request, requestID: next.requestID, reply: next.reply, repeats: next.repeats, now: now)
        }
        return out
    }

    /// The lock's answer to the command in flight.
    mutating func deviceAck(_ id: LockID, payload: [UInt8], now: Date) -> [BridgeEffect] {
        guard var record = locks[id], let ack = try? DeviceAck.parse(payload) else { return [] }
        if let answered = claimAnswered(id, ack, payload: payload, now: now) { return answered }
        if probeAnswered(&record, requestID: ack.requestID, now: now) {
            locks[id] = record
            return []
        }
        guard let pending = record.pending, ack.requestID == pending.requestID else {
            return ack.error?.code == .staleOwner ? staleOwner(id, payload) : []
        }
        record.pending = nil
        if ack.error?.code == .staleOwner {
            // Another owner took the lock meanwhile: nothing happened; the caller may try again.
            locks[id] = record
            return result(id, pending.requestID, pending.command, Self.handedOverBusy, reply: pending.reply, repeats: pending.repeats, now: now)
                + staleOwner(id, payload)
        }
        if let plan = pending.plan {
            // A plan's write: answered to the plan, and the next command (or plan write) goes.
            locks[id] = record
            var out = planAnswered(id, plan: plan, requestID: pending.requestID, error: ack.error, now: now)
            out += dispatchNext(&record, now: now)
            locks[id] = record
            return out + planWork(now: now)
        }
        var out = result(id, pending.requestID, pending.command, ack.error, reply: pending.reply, repeats: pending.repeats, now: now)
        if pending.command == "refresh" && ack.error == nil {
            // Everything retained about the lock again, changed or not.
            out += [.publish(LockContext.state(record, settings)), .publish(LockContext.credentials(record, settings))]
        }
        out += dispatchNext(&record, now: now)
        locks[id] = record
        return out
    }

    /// A command the lock never answered.
    mutating func timeOut(_ context: inout LockContext, _ pending: PendingCommand) {
        context.record.pending = nil
        counters.timeouts += 1
        if let plan = pending.plan {
            locks[context.record.id] = context.record
            context.effects += planAnswered(
                context.record.id, plan: plan, requestID: pending.requestID, error: LockError(.timeout, "the lock did not answer in time"), now: context.now)
            context.record.nextProbe = context.now
            context.effects += dispatchNext(&context.record, now: context.now)
            return
        }
        context.effects += result(
            context.record.id, pending.requestID, pending.command, LockError(.timeout, "the lock did not answer in time"), reply: pending.reply,
            repeats: pending.repeats, now: context.now)
        // Heartbeats still coming while commands go unanswered: the firmware hangs.
        Unresponsive.timedOut(&context, command: pending.command)
        // And a probe at once, to tell a hang from a lost message (spec 3.1).
        context.record.nextProbe = context.now
        context.effects += dispatchNext(&context.record, now: context.now)
    }

    /// Publishes a result (and the MQTT 5 response) and remembers it under its request id.
    mutating func result(
        _ id: LockID, _ requestID: String, _ command: String, _ error: LockError?, reply: ReplyRoute?, repeats: [ReplyRoute?] = [], now: Date
    ) -> [BridgeEffect] {
        let payload = ResultPayload.bytes(requestID: requestID, command: command, error: error, at: now)
        var out = Self.deliver(id, payload, reply: reply, publicTopics) + [remember(id, requestID, payload, final: true, now: now)]
        for repeatReply in repeats { out += Self.duplicate(id, payload, reply: repeatReply, publicTopics) }
        return out
    }

    /// Remembers a result in memory now and in the store through the effect.
    mutating func remember(_ id: LockID, _ requestID: String, _ payload: [UInt8], final: Bool, now: Date) -> BridgeEffect {
        let remembered = RememberedResult(lock: id, requestID: requestID, result: payload, at: now, final: final)
        results.remember(remembered)
        return .remember(remembered)
    }

    mutating func reject(_ id: LockID, requestID: String?, command: String?, _ error: LockError, reply: ReplyRoute?, now: Date) -> [BridgeEffect] {
        counters.rejectedCommands += 1
        return Self.deliver(id, ResultPayload.bytes(requestID: requestID, command: command, error: error, at: now), reply: reply, publicTopics)
    }

    static func duplicate(_ id: LockID, _ stored: [UInt8], reply: ReplyRoute?, _ topics: PublicTopics) -> [BridgeEffect] {
        guard var original = try? JSON.parseObject(stored) else { return [] }
        original["duplicate"] = true
        return deliver(id, bytes(original), reply: reply, topics)
    }

    private mutating func notFound(_ id: LockID, _ parsed: Result<CommandRequest, CommandRejection>, reply: ReplyRoute?, now: Date) -> [BridgeEffect] {
        // Rate-limited, and nothing is stored for a lock we do not know.
        if let last = notFoundAnswered[id], now.timeIntervalSince(last) < 1 { return [] }
        notFoundAnswered[id] = now
        if notFoundAnswered.count > 1024 { notFoundAnswered = notFoundAnswered.filter { now.timeIntervalSince($0.value) < 1 } }
        // Read as any command is (plain LOCK/UNLOCK/OPEN too); a readable one without an id gets
        // one, as for known locks (spec 4); an unreadable one answers with null.
        let (requestID, command) = echo(parsed)
        let result = ResultPayload.bytes(requestID: requestID, command: command, error: SafetyRules.unknownLock, at: now)
        return Self.deliver(id, result, reply: reply, publicTopics)
    }

    static func deliver(_ id: LockID, _ payload: [UInt8], reply: ReplyRoute?, _ topics: PublicTopics) -> [BridgeEffect] {
        var out: [BridgeEffect] = [.publish(Publication(topic: topics.lock(id, .result), payload: payload))]
        if let reply { out.append(.publish(Publication(topic: reply.topic, payload: payload, correlation: reply.correlation))) }
        return out
    }

    /// Answers MQTT 5 requests only under `<base>/reply/`: the bridge must not publish with its
    /// own rights wherever a client points it.
    static func replyRoute(_ message: CommandMessage, _ topics: PublicTopics) -> ReplyRoute? {
        guard let topic = message.responseTopic, topics.isReplyTopic(topic) else { return nil }
        return ReplyRoute(topic: topic, correlation: message.correlation)
    }
}
