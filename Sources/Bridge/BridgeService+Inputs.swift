import AuditLog
import Foundation
import Logging
import LockAPI
import MQTT

/// What the bridge listens to, each kind in one ordered stream.
struct BridgeInputs {
    var device: AsyncStream<MQTTMessage>
    var commands: AsyncStream<IncomingCommand>
    var requests: AsyncStream<MQTTMessage>
}

extension BridgeService {
    /// Subscribes before connecting, so nothing queued in the session is missed. Commands and the
    /// fence are sorted on the loop thread, in the broker's delivery order, so "before the fence"
    /// means exactly that.
    func subscribe() async throws -> BridgeInputs {
        let (device, deviceSink) = AsyncStream.makeStream(of: MQTTMessage.self)
        let (commands, commandSink) = AsyncStream.makeStream(of: IncomingCommand.self)
        let deviceOptions = SubscribeOptions(qos: .atLeastOnce)
        for filter in [deviceTopics.all(.state), deviceTopics.all(.heartbeat), deviceTopics.all(.event), deviceTopics.all(.ack), deviceTopics.allEmulatorStatus] {
            try await client.subscribe(filter, options: deviceOptions) { deviceSink.yield($0) }
        }
        let fence = self.fence
        try await client.subscribe(publicTopics.fence, options: SubscribeOptions(qos: .atLeastOnce)) { message in
            if let token = message.text { fence.arrived(token) }
        }
        // Retain-As-Published: a retained command is seen as retained even on live delivery.
        try await client.subscribe(publicTopics.allCommands, options: SubscribeOptions(qos: .atLeastOnce, retainAsPublished: true)) { message in
            commandSink.yield(
                IncomingCommand(topic: message.topic, payload: message.payload, retained: message.retain, properties: message.properties, queued: !fence.passed))
        }
        let requests = try await client.subscribe(publicTopics.bridgeRequests, qos: .atLeastOnce)
        return BridgeInputs(device: device, commands: commands, requests: requests)
    }

    func consumeDevice(_ messages: AsyncStream<MQTTMessage>, _ sink: AsyncStream<Publication>.Continuation) async {
        for await message in messages {
            let now = Date()
            if let instance = deviceTopics.emulatorInstance(message.topic) {
                execute(core.with { $0.emulatorStatus(instance, online: message.text == "online", now: now) }, sink)
                continue
            }
            guard let (id, channel) = deviceTopics.parse(message.topic) else { continue }
            let (out, newLock) = core.with { core -> ([BridgeOutput], Bool) in
                let known = core.locks[id] != nil
                let out: [BridgeOutput] = switch channel {
                case .state: core.deviceState(id, payload: message.payload, retained: message.retain, now: now)
                case .heartbeat: core.deviceHeartbeat(id, now: now)
                case .event: core.deviceEvent(id, payload: message.payload, now: now)
                case .ack: core.deviceAck(id, payload: message.payload, now: now)
                default: []
                }
                if core.locks[id] != nil { core.dirty.insert(id) }
                return (out, !known && core.locks[id] != nil)
            }
            execute(out, sink)
            if newLock { sink.yield(infoPublication()) }
        }
    }

    func consumeCommands(_ commands: AsyncStream<IncomingCommand>, _ sink: AsyncStream<Publication>.Continuation) async {
        let store = self.store
        for await incoming in commands {
            let out = core.with { core in
                core.command(incoming, now: Date()) { id, requestID in try? store.result(lock: id.rawValue, requestID: requestID) }
            }
            execute(out, sink)
        }
    }
}
