import AuditLog
import Foundation
import Logging
import LockAPI
import MQTT

/// One input in broker delivery order: device messages and commands share a stream, so a
/// command is handled after every device message that arrived before it.
enum BridgeInput: Sendable {
    case device(MQTTMessage)
    case command(IncomingCommand)
}

/// What the bridge listens to.
struct BridgeInputs {
    var ordered: AsyncStream<BridgeInput>
    var requests: AsyncStream<MQTTMessage>
    /// `homeassistant/status`, when discovery is on.
    var homeAssistant: AsyncStream<MQTTMessage>?
}

extension BridgeService {
    /// Subscribes before connecting, so nothing queued in the session is missed. Handlers run on
    /// the loop thread in delivery order. Commands that arrive before this connection's fence
    /// came from the session queue: they are held until the fence returns (by then the retained
    /// lock snapshots, asked for by the same subscriptions, have arrived) and marked `queued`.
    func subscribe() async throws -> BridgeInputs {
        let (ordered, sink) = AsyncStream.makeStream(of: BridgeInput.self)
        let deviceOptions = SubscribeOptions(qos: .atLeastOnce)
        for filter in [deviceTopics.all(.state), deviceTopics.all(.heartbeat), deviceTopics.all(.event), deviceTopics.all(.ack), deviceTopics.allEmulatorStatus] {
            try await client.subscribe(filter, options: deviceOptions) { sink.yield(.device($0)) }
        }
        let fence = self.fence
        try await client.subscribe(publicTopics.fence, options: SubscribeOptions(qos: .atLeastOnce)) { message in
            guard let token = message.text else { return }
            for held in fence.arrived(token) { sink.yield(.command(held)) }
        }
        // Retain-As-Published: a retained command is seen as retained even on live delivery.
        try await client.subscribe(publicTopics.allCommands, options: SubscribeOptions(qos: .atLeastOnce, retainAsPublished: true)) { message in
            let incoming = IncomingCommand(topic: message.topic, payload: message.payload, retained: message.retain, properties: message.properties, queued: false)
            if let ready = fence.admit(incoming) { sink.yield(.command(ready)) }
        }
        let requests = try await client.subscribe(publicTopics.bridgeRequests, qos: .atLeastOnce)
        let homeAssistant = configuration.discovery
            ? try await client.subscribe("\(configuration.discoveryPrefix)/status", qos: .atLeastOnce) : nil
        return BridgeInputs(ordered: ordered, requests: requests, homeAssistant: homeAssistant)
    }

    func consumeInputs(_ inputs: AsyncStream<BridgeInput>, _ sink: AsyncStream<Publication>.Continuation) async {
        let store = self.store
        for await input in inputs {
            switch input {
            case .device(let message): handleDevice(message, sink)
            case .command(let incoming):
                core.run({ core in
                    core.command(incoming, now: Date()) { id, requestID in try? store.result(lock: id.rawValue, requestID: requestID) }
                }, then: { execute($0, sink) })
            }
        }
    }

    private func handleDevice(_ message: MQTTMessage, _ sink: AsyncStream<Publication>.Continuation) {
        let now = Date()
        if let instance = deviceTopics.emulatorInstance(message.topic) {
            core.run({ $0.emulatorStatus(instance, online: message.text == "online", now: now) }, then: { execute($0, sink) })
            return
        }
        guard let (id, channel) = deviceTopics.parse(message.topic) else { return }
        var newLock = false
        core.run({ core in
            let known = core.locks[id] != nil
            let out: [BridgeOutput] = switch channel {
            case .state: core.deviceState(id, payload: message.payload, retained: message.retain, now: now)
            case .heartbeat: core.deviceHeartbeat(id, now: now)
            case .event: core.deviceEvent(id, payload: message.payload, now: now)
            case .ack: core.deviceAck(id, payload: message.payload, now: now)
            default: []
            }
            if core.locks[id] != nil { core.dirty.insert(id) }
            newLock = !known && core.locks[id] != nil
            return out
        }, then: { execute($0, sink) })
        // bridge/info is republished by the ticker, once per tick at most: with 10,000 locks
        // arriving at start, once per new lock would sort every id 10,000 times.
        if newLock { infoDirty.set() }
    }
}
