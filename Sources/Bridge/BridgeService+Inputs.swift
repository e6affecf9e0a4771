import BridgeCore
import LockAPI
import MQTT

extension BridgeService {
    /// Subscribes before connecting, so nothing queued in the session is missed. Every handler
    /// runs on the loop thread and puts its message on the one input queue, in delivery order.
    func subscribe() async throws {
        let inputs = self.inputs
        let deviceTopics = self.deviceTopics
        // Every connect, the first one included: the fence, online, every retained topic. Told on
        // the loop thread, so it is queued before any message of the new connection.
        client.onConnectionEvent { event in
            if case .connected = event { inputs.add(.connected) }
        }
        let deviceOptions = SubscribeOptions(qos: .atLeastOnce)
        for filter in [deviceTopics.all(.state), deviceTopics.all(.heartbeat), deviceTopics.all(.event), deviceTopics.all(.ack)] {
            try await client.subscribe(filter, options: deviceOptions) { message in
                guard let (id, channel) = deviceTopics.parse(message.topic) else { return }
                switch channel {
                case .state: inputs.push(.deviceState(id, payload: message.payload, retained: message.retain))
                case .heartbeat: inputs.push(.deviceHeartbeat(id))
                case .event: inputs.push(.deviceEvent(id, payload: message.payload))
                case .ack: inputs.push(.deviceAck(id, payload: message.payload))
                default: break
                }
            }
        }
        try await client.subscribe(deviceTopics.allEmulatorStatus, options: deviceOptions) { message in
            guard let instance = deviceTopics.emulatorInstance(message.topic) else { return }
            inputs.push(.emulatorStatus(instance: instance, online: message.text == "online"))
        }
        try await client.subscribe(publicTopics.fence, options: SubscribeOptions(qos: .atLeastOnce)) { message in
            if let token = message.text { inputs.push(.fence(token: token)) }
        }
        // Retain-As-Published: a retained command is seen as retained even on live delivery.
        try await client.subscribe(publicTopics.allCommands, options: SubscribeOptions(qos: .atLeastOnce, retainAsPublished: true)) { message in
            inputs.push(.command(CommandMessage(
                topic: message.topic, payload: message.payload, retained: message.retain, responseTopic: message.properties.responseTopic,
                correlation: message.properties.correlationData)))
        }
        let publicTopics = self.publicTopics
        if configuration.cluster != nil {
            // Another bridge's delayed Will: the survivors say `online` again (spec 8).
            try await client.subscribe(publicTopics.bridgeState, options: SubscribeOptions(qos: .atLeastOnce)) { message in
                if let text = message.text, !message.retain { inputs.push(.bridgeState(text)) }
            }
        }
        try await client.subscribe(publicTopics.bridgeRequests, options: SubscribeOptions(qos: .atLeastOnce, retainAsPublished: true)) { message in
            guard let name = publicTopics.requestName(message.topic) else { return }
            inputs.push(.request(RequestMessage(
                name: name, payload: message.payload, responseTopic: message.properties.responseTopic, correlation: message.properties.correlationData,
                retained: message.retain)))
        }
        if configuration.discovery {
            try await client.subscribe("\(configuration.discoveryPrefix)/status", options: SubscribeOptions(qos: .atLeastOnce)) { message in
                // Home Assistant restarted: every config and state again, paced.
                if message.text == "online" && !message.retain { inputs.push(.homeAssistantOnline) }
            }
            // The other layout's retained configs, which an earlier run may have left: they all
            // arrive before the fence, and the core migrates its own (spec section 5).
            let scan = DiscoveryScan(configuration)
            try await client.subscribe(scan.filter, options: SubscribeOptions(qos: .atLeastOnce)) { message in
                guard message.retain, !message.payload.isEmpty, scan.mightBeOurs(message.topic) else { return }
                inputs.push(.discoveryConfig(topic: message.topic, payload: message.payload))
            }
        }
    }
}
