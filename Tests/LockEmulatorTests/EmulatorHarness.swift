import Foundation
import JSON
import LockAPI
import LockCore
import MQTT
import Testing
import TestSupport

/// A private broker, the real `lock-emulator` process and a test client on a unique prefix.
final class EmulatorHarness: @unchecked Sendable {
    // @unchecked Sendable: `emulator` and `counter` are only touched by the one test that owns this.
    let broker: Broker
    let client: MosquittoClient
    let topics: DeviceTopics
    let instance = TestNames.clientID("emu")
    let stateDirectory: String
    let keyFile: String
    let signer: DeviceSigner
    let locks: [String]
    let extraArguments: [String]
    let events: MessageCollector
    let states: MessageCollector
    let acks: MessageCollector
    let simResults: MessageCollector
    let status: MessageCollector
    var emulator: ChildProcess?
    var counter: UInt64 = 0

    static func start(_ locks: [String], _ extraArguments: [String] = []) async throws -> EmulatorHarness {
        let broker = try await Broker.start()
        let harness = try await EmulatorHarness(broker: broker, locks: locks, extraArguments: extraArguments)
        try await harness.startEmulator()
        return harness
    }

    private init(broker: Broker, locks: [String], extraArguments: [String]) async throws {
        self.broker = broker
        self.locks = locks
        self.extraArguments = extraArguments
        topics = DeviceTopics(prefix: TestNames.baseTopic("lockdev"))
        stateDirectory = broker.directory.appendingPathComponent("emulator-state").path
        keyFile = broker.directory.appendingPathComponent("device.key").path
        try DeviceSigner.newKeyFileContents().write(toFile: keyFile, atomically: true, encoding: .utf8)
        signer = try DeviceSigner(keyFile: keyFile)
        client = try await TestClients.connect(broker, "emu-test")
        events = try await MessageCollector(client, topics.all(.event))
        states = try await MessageCollector(client, topics.all(.state))
        acks = try await MessageCollector(client, topics.all(.ack))
        simResults = try await MessageCollector(client, topics.all(.simResult))
        status = try await MessageCollector(client, topics.emulatorStatus(instance))
    }

    /// Starts the emulator and waits until it says it is online and every lock has reported.
    func startEmulator(_ more: [String] = []) async throws {
        let before = status.messages.count
        let arguments = [
            "--broker", broker.url, "--state-dir", stateDirectory, "--enable-sim", "--instance", instance,
            "--device-key-file", keyFile, "--topic-prefix", topics.prefix, "--tick-interval", "0.05",
            "--heartbeat-interval", "0.5", "--hash-iterations", "64",
        ] + locks.flatMap { ["--lock", $0] } + extraArguments + more
        emulator = try ChildProcess("lock-emulator", arguments)
        try await waitUntil(15, "the emulator to come online") {
            self.status.messages.dropFirst(before).contains { $0.text == "online" }
        }
        for lock in locks { _ = try await state(lock) }
    }

    func stop() async throws {
        emulator?.send(SIGTERM)
        _ = try await emulator?.waitForExit()
        await client.disconnect()
        try await broker.stop()
    }

    // MARK: reading the device link

    /// The newest retained snapshot of `lock`.
    func state(_ lock: String) async throws -> JSONObject {
        let topic = topics.lock(LockID(lock)!, .state)
        let message = try await waitForLast(topic, "a state snapshot of \(lock)")
        return try JSON.parseObject(message.payload)
    }

    /// Waits until the newest snapshot of `lock` satisfies `predicate`.
    func state(_ lock: String, within seconds: Double = 5, _ what: String, where predicate: @escaping @Sendable (JSONObject) -> Bool) async throws -> JSONObject {
        let topic = topics.lock(LockID(lock)!, .state)
        try await waitUntil(seconds, what) {
            guard let last = self.states.messages.last(where: { $0.topic == topic }),
                let object = try? JSON.parseObject(last.payload)
            else { return false }
            return predicate(object)
        }
        return try await state(lock)
    }

    private func waitForLast(_ topic: String, _ what: String) async throws -> MQTTMessage {
        try await waitUntil(10, what) { self.states.messages.contains { $0.topic == topic } }
        return states.messages.last { $0.topic == topic }!
    }

    /// Waits for an event of `lock` that satisfies `predicate`, removes it and returns it.
    func event(_ lock: String, within seconds: Double = 5, _ what: String, where predicate: @escaping @Sendable (JSONObject) -> Bool = { _ in true }) async throws -> JSONObject {
        let topic = topics.lock(LockID(lock)!, .event)
        let message = try await events.next(within: seconds, what) { message in
            message.topic == topic && (try? JSON.parseObject(message.payload)).map(predicate) == true
        }
        return try JSON.parseObject(message.payload)
    }

    /// Every event of `lock` received so far, parsed.
    func allEvents(_ lock: String) -> [JSONObject] {
        let topic = topics.lock(LockID(lock)!, .event)
        return events.messages.filter { $0.topic == topic }.compactMap { try? JSON.parseObject($0.payload) }
    }

    // MARK: acting

    /// Sends a sim action and returns the emulator's reply.
    @discardableResult
    func sim(_ lock: String, _ json: String) async throws -> JSONObject {
        let id = LockID(lock)!
        let before = simResults.messages.count
        try await client.publish(topics.lock(id, .sim), text: json)
        try await waitUntil(5, "the sim reply to \(json.prefix(40))") {
            self.simResults.messages.dropFirst(before).contains { $0.topic == self.topics.lock(id, .simResult) }
        }
        let reply = simResults.messages.dropFirst(before).first { $0.topic == topics.lock(id, .simResult) }!
        return try JSON.parseObject(reply.payload)
    }

    /// A new code as the bridge sends it in `set_code` or `set_override_code`: sealed for `lock`
    /// (device link v2); the lock opens it and keeps its own hash.
    func sealed(_ lock: String, _ code: String) -> CodeHash {
        CodeHash(bytes: signer.codeSeal.seal(code, lock: LockID(lock)!, field: CodeSeal.newCodeField))
    }

    /// Publishes a command as the bridge would: signed, with a fresh counter.
    func send(
        _ lock: String, _ command: LockCommand, code: String? = nil, requestID: String = TestNames.clientID("req"),
        counter: UInt64? = nil, mac: String? = nil, retain: Bool = false, ownerEpoch: UInt64 = 0
    ) async throws -> String {
        let id = LockID(lock)!
        self.counter += 1
        let codeHash: CodeHash? = code.map { CodeHash(bytes: signer.codeSeal.seal($0, lock: id, field: CodeSeal.remoteCodeField)) }
        let payload = try DeviceCommand(
            requestID: requestID, counter: counter ?? self.counter, command: command, code: codeHash, ownerEpoch: ownerEpoch).payload()
        let signature = mac ?? signer.mac(lock: id, payload: payload)
        try await client.publish(
            topics.lock(id, .cmd), payload: payload, qos: .atLeastOnce, retain: retain,
            properties: MQTTProperties(userProperties: [UserProperty(DeviceSigner.property, signature)]))
        return requestID
    }

    /// Sends a command and waits for its ack.
    func command(_ lock: String, _ command: LockCommand, code: String? = nil, within seconds: Double = 5) async throws -> JSONObject {
        let request = try await send(lock, command, code: code)
        return try await ack(request, within: seconds)
    }

    func ack(_ request: String, within seconds: Double = 5) async throws -> JSONObject {
        let message = try await acks.next(within: seconds, "the ack of \(request)") {
            (try? JSON.parseObject($0.payload))?["request_id"]?.stringValue == request
        }
        return try JSON.parseObject(message.payload)
    }

    func hasAck(_ request: String) -> Bool {
        acks.messages.contains { (try? JSON.parseObject($0.payload))?["request_id"]?.stringValue == request }
    }
}
