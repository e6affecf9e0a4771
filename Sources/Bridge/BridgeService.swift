import AuditLog
import Foundation
import JSON
import LockAPI
import LockCore
public import Logging
public import MQTT
public import ServiceLifecycle
import Synchronization

/// `lockbridge run`: turns the device link into the public API of spec sections 2 to 4.
public struct BridgeService: Service {
    let configuration: BridgeConfiguration
    let client: MosquittoClient
    let logger: Logger
    let store: AuditStore
    let core: BridgeCoreBox
    let publicTopics: PublicTopics
    let deviceTopics: DeviceTopics
    let startedAt = Date()
    /// Whether this connection's fence has come back (see `IncomingCommand.queued`).
    let fence = FenceState()
    /// Set when the set of locks changed and bridge/info is due again.
    let infoDirty = Flag()
    /// Saved locks the allow-list no longer accepts: removed at start.
    let outsideAllowList: [LockID]

    public static let version = BridgeCore.version

    public init(configuration: BridgeConfiguration, mqtt: MQTTConfiguration, logger: Logger) throws {
        MemoryHygiene.limitArenas()
        self.configuration = configuration
        self.logger = logger
        publicTopics = PublicTopics(base: configuration.baseTopic)
        deviceTopics = DeviceTopics(prefix: configuration.deviceTopicPrefix)
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        store = try AuditStore(path: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("lockbridge.sqlite").path)
        let signer = try DeviceSigner(keyFile: configuration.deviceKeyFile)
        var core = BridgeCore(configuration: configuration, signer: signer, logger: logger)
        let (states, sequences) = (try store.lockStates(), try store.lastSequences())
        core.restore(from: states, sequences: sequences, now: Date(), logger: logger)
        core.removed = Set(try store.removedLocks().compactMap(LockID.init))
        outsideAllowList = Set(states.keys).union(sequences.keys).compactMap(LockID.init).filter { !core.accepts($0) }.sorted()
        self.core = BridgeCoreBox(core)
        var mqtt = mqtt
        mqtt.will = MQTTWill(topic: publicTopics.bridgeState, text: "offline", qos: .atLeastOnce, retain: true)
        client = try MosquittoClient(configuration: mqtt, logger: logger)
    }

    public func run() async throws {
        let (outbox, sink) = AsyncStream.makeStream(of: Publication.self)
        let inputs = try await subscribe()
        let links = client.connectionEvents()
        try await client.connect()

        let publisher = Task { await publish(outbox) }
        // Before any new device data: what did not get out last time, then every retained topic.
        resendUndelivered(sink)
        for id in outsideAllowList { try? remove(id, sink) }
        announce(sink)
        let workers = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await consumeInputs(inputs.ordered, sink) }
                group.addTask { await consumeRequests(inputs.requests, sink) }
                if let homeAssistant = inputs.homeAssistant {
                    group.addTask {
                        // Home Assistant restarted: every config and state again, paced.
                        for await message in homeAssistant where message.text == "online" && !message.retain {
                            await republishPaced(sink)
                        }
                    }
                }
                group.addTask { await runTicker(sink) }
                group.addTask {
                    // The first connection was announced above; this is for every reconnect.
                    for await link in links.dropFirst() {
                        if case .connected = link { announce(sink) }
                    }
                }
            }
        }
        logger.info("lockbridge running", metadata: ["base_topic": "\(configuration.baseTopic)", "broker": "\(client.configuration)"])
        try? await gracefulShutdown()

        logger.info("lockbridge stopping")
        workers.cancel()
        await workers.value
        sink.yield(Publication(topic: publicTopics.bridgeState, payload: Array("offline".utf8), retain: true))
        sink.finish()
        let flushed = Task { await publisher.value }
        let deadline = Task {
            try await Task.sleep(for: .milliseconds(Int(configuration.shutdownFlushSeconds * 1000)))
            logger.info("broker unreachable at shutdown: the outbox keeps what is unsent for the next start")
            await client.disconnect()
        }
        await flushed.value
        deadline.cancel()
        saveLocks(all: true)
        await client.disconnect()
    }

    /// The fence, then `bridge/state` online and every retained topic (after every connect, and
    /// at start). The fence goes first: a client that sends a command as soon as it sees `online`
    /// is then behind the fence, so its command is never taken for one queued in the session.
    func announce(_ sink: AsyncStream<Publication>.Continuation) {
        sink.yield(Publication(topic: publicTopics.fence, payload: Array(fence.arm().utf8)))
        sink.yield(Publication(topic: publicTopics.bridgeState, payload: Array("online".utf8), retain: true))
        core.run({ $0.retainedState(now: Date()) }, then: { execute($0, sink) })
        sink.yield(infoPublication())
    }

    /// Every config and state in chunks, so 10,000 locks do not arrive as one burst.
    func republishPaced(_ sink: AsyncStream<Publication>.Continuation) async {
        var pending: [BridgeOutput] = []
        core.run({ core in
            pending = core.retainedState(now: Date())
            return []
        }, then: { _ in })
        var index = 0
        while index < pending.count, !Task.isCancelled {
            execute(Array(pending[index..<min(index + 500, pending.count)]), sink)
            index += 500
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    func infoPublication() -> Publication {
        let ids = core.with { $0.locks.keys.sorted().map { JSONValue.string($0.rawValue) } }
        let info: JSONObject = [
            "version": .string(Self.version), "base_topic": .string(configuration.baseTopic), "locks": .array(ids),
            "started_at": .string(RFC3339.format(startedAt)),
        ]
        return Publication(topic: publicTopics.bridgeInfo, payload: BridgeCore.bytes(info), retain: true)
    }
}

/// The bridge core behind one mutex.
final class BridgeCoreBox: Sendable {
    private let mutex: Mutex<BridgeCore>
    init(_ core: consuming BridgeCore) { mutex = Mutex(core) }
    func with<R>(_ body: (inout BridgeCore) -> R) -> R { mutex.withLock { body(&$0) } }

    /// Runs `body` and carries out its outputs before letting go of the lock, so results,
    /// events and outbox records keep the order the core made them in, across tasks.
    func run(_ body: (inout BridgeCore) -> [BridgeOutput], then execute: ([BridgeOutput]) -> Void) {
        mutex.withLock { core in execute(body(&core)) }
    }
}

/// A thread-safe "something changed" flag.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    /// Whether it was set; clears it.
    func take() -> Bool {
        value.withLock { flag in
            defer { flag = false }
            return flag
        }
    }
}

/// The post-connect fence: its token, whether it has come back, and the commands held until then.
final class FenceState: Sendable {
    private struct State {
        var token = ""
        var passed = false
        var held: [IncomingCommand] = []
    }
    private let state = Mutex(State())

    /// A new fence for a new connection; commands are held again until it returns.
    func arm() -> String {
        let token = UUID().uuidString
        state.withLock {
            $0.token = token
            $0.passed = false
        }
        return token
    }

    /// The command to handle now, or nil when it is held until the fence returns.
    func admit(_ command: IncomingCommand) -> IncomingCommand? {
        state.withLock { s in
            if s.passed { return command }
            var queued = command
            queued.queued = true
            s.held.append(queued)
            return nil
        }
    }

    /// The fence came back: everything held is released, in arrival order.
    func arrived(_ token: String) -> [IncomingCommand] {
        state.withLock { s in
            guard s.token == token, !s.passed else { return [] }
            s.passed = true
            defer { s.held = [] }
            return s.held
        }
    }
}

extension PublicTopics {
    /// Where the bridge sends its fence to itself.
    var fence: String { "\(base)/bridge/fence" }
}
