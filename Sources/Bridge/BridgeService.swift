import AuditLog
import PostgresStore
public import BridgeCore
import Foundation
import LockAPI
public import Logging
public import MQTT
public import ServiceLifecycle

/// `lockbridge run`: turns the device link into the public API of spec sections 2 to 4.
///
/// The flow (docs/architecture.md): the broker's loop thread puts every message on one bounded
/// ``InputQueue``; the ``EffectExecutor`` runs each batch through the ``BridgeMachine``, commits
/// the batch's durable effects in one SQLite transaction, then publishes; PUBACKs of audited
/// events are gathered on the loop thread and marked delivered in the executor's next commit.
public struct BridgeService: Service {
    let configuration: BridgeConfiguration
    let client: any MQTTClient
    /// What the log says the bridge is connected to.
    let broker: String
    let logger: Logger
    /// SQLite in the data directory, or PostgreSQL with `cluster.postgres` (spec 8).
    let store: any BridgeStore
    /// The PostgreSQL store, whose connection pool runs beside the bridge.
    let postgres: PostgresStore?
    /// Several bridges: holds this bridge's shards on its own PostgreSQL session.
    let keeper: ShardKeeper?
    let signer: DeviceSigner
    let vault: PlanVault
    let inputs = InputQueue()
    let publicTopics: PublicTopics
    let deviceTopics: DeviceTopics

    public static let version = BridgeMachine.version

    /// The bridge on libmosquitto, with its Last Will (`offline` on `bridge/state`).
    public init(configuration: BridgeConfiguration, mqtt: MQTTConfiguration, logger: Logger) throws {
        var mqtt = mqtt
        // Several bridges: each has its own client id, and its `offline` waits takeover_s, so a
        // survivor can say `online` again first (spec 8).
        let delay = configuration.cluster.map { UInt32($0.takeoverSeconds.rounded(.up)) }
        if let cluster = configuration.cluster { mqtt.clientID += "-\(cluster.instance)" }
        mqtt.will = MQTTWill(
            topic: PublicTopics(base: configuration.baseTopic).bridgeState, text: "offline", qos: .atLeastOnce, retain: true, delaySeconds: delay)
        try self.init(configuration: configuration, client: try MosquittoClient(configuration: mqtt, logger: logger), broker: "\(mqtt)", logger: logger)
    }

    /// The bridge on any transport (tests pass an in-memory one). Opens the store and reads the
    /// keys; what the store kept is loaded, and the broker connected, only in `run()`.
    public init(configuration: BridgeConfiguration, client: any MQTTClient, broker: String, logger: Logger) throws {
        self.configuration = configuration
        self.client = client
        self.broker = broker
        self.logger = logger
        publicTopics = PublicTopics(base: configuration.baseTopic)
        deviceTopics = DeviceTopics(prefix: configuration.deviceTopicPrefix)
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        vault = try PlanVault(keyFile: configuration.planKeyPath)
        signer = try DeviceSigner(keyFile: configuration.deviceKeyFile)
        if let cluster = configuration.cluster {
            let password: String?
            do {
                password = try BrokerPassword.read(file: cluster.passwordFile, fileSetting: "cluster.password_file", environment: "LOCKBRIDGE_POSTGRES_PASSWORD")
            } catch {
                throw ConfigurationError(key: "cluster.password_file", message: error.message)
            }
            let postgres: PostgresStore
            do {
                postgres = try PostgresStore(url: cluster.postgres, password: password, logger: logger)
            } catch {
                throw ConfigurationError(key: "cluster.postgres", message: error.description)
            }
            (store, self.postgres) = (postgres, postgres)
            keeper = try? ShardKeeper(
                url: cluster.postgres, password: password, instance: cluster.instance, takeover: cluster.takeoverSeconds, logger: logger)
        } else {
            store = SQLiteStore(try AuditStore(path: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("lockbridge.sqlite").path))
            (postgres, keeper) = (nil, nil)
        }
    }

    /// What the store kept from the last run, and the machine that goes on from there.
    func loadMachine() async throws -> BridgeMachine {
        let now = Date()
        let retained = now.addingTimeInterval(-configuration.requestRetention)
        var stored = StoredState(
            locks: try await store.lockStates(), sequences: try await store.lastSequences(), removed: try await store.removedLocks(),
            results: try await store.rememberedResults(since: retained).compactMap { r in
                LockID(r.lock).map { RememberedResult(lock: $0, requestID: r.requestID, result: r.result, at: r.at, final: true) }
            }, bridgeEpoch: try await store.bridgeEpoch(), bridgeSequences: try await store.bridgeSequences())
        let vault = self.vault
        stored.plans = try await store.plans().map { row in StoredPlan(definition: try vault.open(row.sealed, name: row.name), locks: row.locks) }
        stored.planRequests = try await store.planRequests(since: retained)
        return BridgeMachine(
            configuration: configuration, signer: signer, logger: logger, stored: stored, now: now, newID: { UUID().uuidString.lowercased() })
    }

    /// What the process's ServiceGroup runs, in order: the PostgreSQL pool first (so it stops
    /// last), then the bridge.
    public var services: [any Service] { (postgres.map { [$0.pool] } ?? []) + [self] }

    public func run() async throws {
        guard let postgres else { return try await serve(try await loadMachine()) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            try await postgres.requirePrimary()
            try await postgres.migrate()
            logger.info("store: PostgreSQL", metadata: ["postgres": "\(configuration.cluster?.postgres ?? "")"])
            if let keeper {
                let inputs = self.inputs
                group.addTask { await keeper.run { holding in inputs.add(.shards(ShardView(mine: holding.mine, held: holding.held, instances: holding.instances))) } }
            }
            try await serve(try await loadMachine())
            group.cancelAll()
        }
    }

    private func serve(_ machine: BridgeMachine) async throws {
        try await subscribe()
        try await client.connect()
        let (paced, pace) = AsyncStream.makeStream(of: [PacedPublication].self)
        var executor = EffectExecutor(
            machine: machine, inputs: inputs, client: client, store: store, configuration: configuration, logger: logger, inFlight: InFlight(),
            paced: pace, clock: { Date() }, vault: vault, keeper: keeper)
        logger.info("lockbridge running", metadata: ["base_topic": "\(configuration.baseTopic)", "broker": "\(broker)"])

        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await runTicker() }
                group.addTask { await publishPaced(paced) }
                // Until shutdown has finished the input queue and the executor has drained it.
                await executor.run()
                group.cancelAll()
            }
            // The broker may be gone: wait for its PUBACKs only so long.
            await executor.drain(within: configuration.shutdownFlushSeconds)
        } onGracefulShutdown: {
            logger.info("lockbridge stopping")
            inputs.add(.stopping)
            inputs.add(.save(all: true))
            inputs.finish()
        }
        await client.disconnect()
    }
}
