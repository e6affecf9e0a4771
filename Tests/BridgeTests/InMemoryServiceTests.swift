import AuditLog
import Bridge
import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Logging
import Locking
import MQTT
import ServiceLifecycle
import Testing
import TestSupport

/// `BridgeService` as a whole (inputs, executor, SQLite, outbox) over the in-memory transport:
/// no broker, no processes, so it runs in well under a second. The test plays the lock.
@Suite struct InMemoryServiceTests {
    /// A bridge configuration with its data directory and a fresh device key under `directory`.
    static func configuration(in directory: URL) throws -> BridgeConfiguration {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        let keyFile = directory.appendingPathComponent("device.key").path
        try DeviceSigner.newKeyFileContents().write(toFile: keyFile, atomically: true, encoding: .utf8)
        var configuration = BridgeConfiguration()
        configuration.dataDirectory = directory.appendingPathComponent("data").path
        configuration.deviceKeyFile = keyFile
        configuration.tickInterval = 0.05
        return configuration
    }

    @Test func aSnapshotBecomesStateAndACommandGetsItsResultThroughTheWholeService() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockbridge-inmemory-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try Self.configuration(in: directory)
        let keyFile = configuration.deviceKeyFile

        let broker = InMemoryBroker()
        let test = broker.client()
        try await test.connect()
        let public_ = try await MessageCollector(test, "lockbridge/#")
        // The lock: a real LockCore lock that answers signed commands on its device link.
        let signer = try DeviceSigner(keyFile: keyFile)
        let door = LockID("door")!
        let lock = Locked(Lock(salt: Array(repeating: 5, count: 16), hasher: CodeHasher(iterations: 2)))
        @Sendable func snapshot() throws -> [UInt8] {
            try lock.withLock { DeviceSnapshot($0, emulator: "emu-mem", lockTime: Date(), wallTime: Date()) }.payload()
        }
        try await test.publish("lockdev/door/state", payload: try snapshot(), qos: .atLeastOnce, retain: true)
        try await test.subscribe("lockdev/door/cmd", options: SubscribeOptions()) { message in
            guard signer.verify(lock: door, payload: message.payload, mac: message.properties.userProperties.first { $0.name == DeviceSigner.property }?.value ?? ""),
                let command = try? DeviceCommand.parse(message.payload, lock: door, seal: signer.codeSeal, hash: lock.withLock { $0 }.hash(code:))
            else { return }
            let outputs = lock.withLock { $0.handle(command.input, now: Date()) }
            for case .event(let event) in outputs {
                var o = EventPayload.object(event)
                o["v"] = .int(Int64(DeviceTopics.version))
                o["category"] = .string(EventPayload.category(event))
                _ = try? test.sendNow("lockdev/door/event", payload: try o.serializedBytes())
            }
            _ = try? test.sendNow("lockdev/door/state", payload: try snapshot(), retain: true)
            for case .result(let result) in outputs { _ = try? test.sendNow("lockdev/door/ack", payload: try DeviceAck.payload(result)) }
        }

        let service = try BridgeService(configuration: configuration, client: broker.client(), broker: "in-memory", logger: Logger(label: "in-memory-test"))
        let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "in-memory-test")))
        let running = Task { try await group.run() }

        try await waitUntil(20, "door online with a state") {
            public_.messages.contains { $0.topic == "lockbridge/door/availability" && $0.text == "online" }
                && public_.messages.contains { $0.topic == "lockbridge/door/state" }
        }
        try await test.publish("lockbridge/door/set", text: #"{"command":"unlock","request_id":"mem-1"}"#)
        try await waitUntil(20, "the result of mem-1") {
            public_.messages.contains { $0.topic == "lockbridge/door/result" && $0.text?.contains("mem-1") == true }
        }
        let result = try JSON.parseObject(public_.messages.last { $0.topic == "lockbridge/door/result" }!.payload)
        #expect(result["status"]?.stringValue == "ok")
        try await waitUntil(20, "the unlock on event/access and in state") {
            public_.messages.contains { $0.topic == "lockbridge/door/event/access" && $0.text?.contains("mem-1") == true }
                && (try? JSON.parseObject(public_.messages.last { $0.topic == "lockbridge/door/state" }!.payload))?["lock"]?.stringValue == "unlocked"
        }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(broker.retained("lockbridge/bridge/state")?.payload == Array("offline".utf8))
        // The event was written to the audit log, and confirmed delivered, before the service ended.
        let store = try AuditStore(path: "\(configuration.dataDirectory)/lockbridge.sqlite")
        #expect(try store.counts().undelivered == 0)
        #expect(try store.history(lock: "door", since: nil, limit: 10).contains { String(decoding: $0.payload, as: UTF8.self).contains("mem-1") })
    }

    /// An event the last run wrote to the outbox but never got out (a crash between commit and
    /// publish) goes out at the next start, marked `delayed` (spec 3.2), and is then confirmed.
    @Test func anEventReplayedAfterARestartIsMarkedDelayed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockbridge-replay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try Self.configuration(in: directory)
        let event = #"{"event_type":"unlock","method":"mechanical_key","credential":{"type":"key"},"reason":null,"request_id":null,"seq":7,"epoch":1,"at":"2026-11-25T10:00:00.000Z"}"#
        do {
            let store = try AuditStore(path: "\(configuration.dataDirectory)/lockbridge.sqlite")
            _ = try store.appendSequenced(
                lock: "door", category: "access", topic: "lockbridge/door/event/access", payload: Array(event.utf8), at: Date(), epoch: 1, seq: 7)
        }

        let broker = InMemoryBroker()
        let test = broker.client()
        try await test.connect()
        let public_ = try await MessageCollector(test, "lockbridge/door/event/#")
        let service = try BridgeService(configuration: configuration, client: broker.client(), broker: "in-memory", logger: Logger(label: "replay-test"))
        let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "replay-test")))
        let running = Task { try await group.run() }
        try await waitUntil(5, "the replayed event") { !public_.messages.isEmpty }
        let replayed = try JSON.parseObject(public_.messages[0].payload)
        #expect(replayed["delayed"]?.boolValue == true)
        #expect(replayed["seq"]?.intValue == 7 && replayed["event_type"]?.stringValue == "unlock")
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(try AuditStore(path: "\(configuration.dataDirectory)/lockbridge.sqlite").counts().undelivered == 0)
    }
}
