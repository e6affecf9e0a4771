import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

/// A private broker with the real `lock-emulator` and the real `lockbridge run`, plus a test
/// client, all on a unique base topic and device prefix.
final class BridgeHarness: @unchecked Sendable {
    // @unchecked Sendable: the process handles change only in the one test that owns this.
    let broker: Broker
    let client: MosquittoClient
    let base: String
    let prefix: String
    let directory: URL
    let keyFile: String
    let locks: [String]
    let bridgeArguments: [String]
    let emulatorArguments: [String]
    let everything: MessageCollector
    var emulator: ChildProcess?
    var bridge: ChildProcess?

    static func start(
        _ locks: [String], bridge bridgeArguments: [String] = [], emulator emulatorArguments: [String] = [],
        brokerOptions: BrokerOptions = BrokerOptions(), baseName: String = "lockbridge"
    ) async throws -> BridgeHarness {
        let broker = try await Broker.start(brokerOptions)
        let h = try await BridgeHarness(broker, locks, bridgeArguments, emulatorArguments, baseName)
        try await h.startEmulator()
        try await h.startBridge()
        for lock in locks { try await h.waitForAvailability(lock, "online") }
        return h
    }

    private init(
        _ broker: Broker, _ locks: [String], _ bridgeArguments: [String], _ emulatorArguments: [String], _ baseName: String
    ) async throws {
        self.broker = broker
        self.locks = locks
        self.bridgeArguments = bridgeArguments
        self.emulatorArguments = emulatorArguments
        let unique = TestNames.baseTopic("x")
        base = unique.replacingOccurrences(of: "/x", with: "/\(baseName)")
        prefix = unique.replacingOccurrences(of: "/x", with: "/lockdev")
        directory = broker.directory
        keyFile = directory.appendingPathComponent("device.key").path
        try DeviceSigner.newKeyFileContents().write(toFile: keyFile, atomically: true, encoding: .utf8)
        client = try await TestClients.connect(broker, "bridge-test")
        everything = try await MessageCollector(client, "\(base)/#")
    }

    /// Starts the emulator with the harness's arguments, or with `arguments` in their place.
    func startEmulator(_ arguments: [String]? = nil) async throws {
        emulator = try ChildProcess("lock-emulator", [
            "--broker", broker.url, "--state-dir", directory.appendingPathComponent("emulator").path, "--enable-sim",
            "--device-key-file", keyFile, "--topic-prefix", prefix, "--tick-interval", "0.05",
            "--heartbeat-interval", "0.5", "--hash-iterations", "64", "--instance", "emu-test",
        ] + locks.flatMap { ["--lock", $0] } + (arguments ?? emulatorArguments))
    }

    func startBridge(_ more: [String] = []) async throws {
        let before = everything.messages.count
        bridge = try ChildProcess("lockbridge", [
            "run", "--broker", broker.url, "--data-dir", directory.appendingPathComponent("bridge").path,
            "--base-topic", base, "--device-topic-prefix", prefix, "--device-key-file", keyFile,
            "--offline-after", "3", "--command-timeout", "5", "--tick-interval", "0.1",
        ] + bridgeArguments + more)
        try await waitUntil(20, "the bridge to come online") {
            self.everything.messages.dropFirst(before).contains { $0.topic == "\(self.base)/bridge/state" && $0.text == "online" }
        }
    }

    /// Stops the bridge cleanly and starts it again, with `more` arguments after the harness's.
    func restartBridge(_ more: [String] = []) async throws {
        bridge?.send(SIGTERM)
        _ = try await bridge?.waitForExit(within: 15)
        try await startBridge(more)
    }

    func stop() async throws {
        bridge?.send(SIGTERM)
        emulator?.send(SIGTERM)
        _ = try await bridge?.waitForExit(within: 15)
        _ = try await emulator?.waitForExit(within: 15)
        await client.disconnect()
        try await broker.stop()
    }

    // MARK: reading

    func messages(_ suffix: String) -> [MQTTMessage] { everything.messages.filter { $0.topic == "\(base)/\(suffix)" } }

    func waitForAvailability(_ lock: String, _ value: String, within seconds: Double = 15) async throws {
        try await explained {
            try await waitUntil(seconds, "\(lock) to be \(value)") { self.messages("\(lock)/availability").last?.text == value }
        }
    }

    /// The newest `state` of `lock` once it satisfies `predicate`.
    func state(_ lock: String, within seconds: Double = 10, _ what: String = "a state", where predicate: @escaping @Sendable (JSONObject) -> Bool = { _ in true }) async throws -> JSONObject {
        try await explained {
            try await waitUntil(seconds, "\(lock): \(what)") {
                guard let last = self.messages("\(lock)/state").last, let o = try? JSON.parseObject(last.payload) else { return false }
                return predicate(o)
            }
        }
        return try JSON.parseObject(messages("\(lock)/state").last!.payload)
    }

    /// Waits for a message on `<base>/<suffix>` whose JSON satisfies `predicate`.
    func next(_ suffix: String, within seconds: Double = 10, _ what: String, where predicate: @escaping @Sendable (JSONObject) -> Bool = { _ in true }) async throws -> JSONObject {
        let topic = "\(base)/\(suffix)"
        let message = try await explained {
            try await everything.next(within: seconds, what) { message in
                message.topic == topic && (try? JSON.parseObject(message.payload)).map(predicate) == true
            }
        }
        return try JSON.parseObject(message.payload)
    }

    /// Runs `body`; when it fails, the error also carries the end of the bridge's and the
    /// emulator's output, which is otherwise deleted with the harness.
    func explained<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw HarnessFailure(cause: error, logs: [("lockbridge", bridge), ("lock-emulator", emulator)].map { name, child in
                "--- last lines of \(name) ---\n" + (child?.text.split(separator: "\n").suffix(25).joined(separator: "\n") ?? "(not running)")
            })
        }
    }

    // MARK: acting

    /// Publishes a command on `<base>/<lock>/set` and waits for its result.
    @discardableResult
    func command(_ lock: String, _ json: String, within seconds: Double = 10) async throws -> JSONObject {
        let requestID = (try? JSON.parseObject(json))?["request_id"]?.stringValue
        try await client.publish("\(base)/\(lock)/set", text: json, qos: .atLeastOnce)
        return try await next("\(lock)/result", within: seconds, "the result of \(json.prefix(60))") { result in
            requestID == nil || result["request_id"]?.stringValue == requestID
        }
    }

    func sim(_ lock: String, _ json: String) async throws {
        try await client.publish("\(prefix)/\(lock)/sim", text: json, qos: .atLeastOnce)
    }

    static func issuedNow() -> String { RFC3339.format(Date()) }
}

/// A failed wait, with what the bridge and the emulator printed last.
struct HarnessFailure: Error, CustomStringConvertible {
    var cause: any Error
    var logs: [String]
    var description: String { "\(cause)\n" + logs.joined(separator: "\n") }
}
