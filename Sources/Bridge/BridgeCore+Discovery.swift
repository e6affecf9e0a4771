import Foundation
import JSON
import LockAPI
import LockCore

extension BridgeCore {
    /// The lock's discovery configs, when they are new or what they depend on changed
    /// (`code_format` follows `require_code_for_remote`; the device shows the firmware).
    func discoveryMessages(_ record: inout LockRecord) -> [BridgeOutput] {
        guard let discovery, let snapshot = record.snapshot else { return [] }
        let firmware = snapshot.firmware
        let codeRequired = snapshot.config.requireCodeForRemote
        let key = "\(firmware ?? "")|\(codeRequired)"
        guard record.discoveryKey != key else { return [] }
        record.discoveryKey = key
        return discovery.configs(for: record.id, firmware: firmware, codeRequired: codeRequired).map { component, object, config in
            .publish(topic: discovery.topic(component, discovery.node(record.id), object), payload: Self.bytes(config), retain: true)
        }
    }

    /// Forgets a lock that is offline: empty retained payloads clear its public topics and its
    /// Home Assistant entities. It comes back only when it reports live again.
    mutating func removeLock(_ id: LockID) -> [BridgeOutput] {
        locks[id] = nil
        dirty.remove(id)
        removed.insert(id)
        let retainedTopics: [PublicTopics.LockTopic] = [.state, .availability, .batteryAlert, .credentials]
        return retainedTopics.map { .publish(topic: publicTopics.lock(id, $0), payload: [], retain: true) } + discoveryRemovals(id)
    }

    /// Empty retained configs, which make Home Assistant forget a removed lock's entities.
    func discoveryRemovals(_ id: LockID) -> [BridgeOutput] {
        guard let discovery else { return [] }
        return discovery.configs(for: id, firmware: nil, codeRequired: false).map { component, object, _ in
            .publish(topic: discovery.topic(component, discovery.node(id), object), payload: [], retain: true)
        }
    }
}
