import Foundation
import JSON
import LockAPI
import LockCore
public import Logging
public import MQTT
public import ServiceLifecycle

/// `lock-emulator` as a service: many locks over one MQTT connection, talking only through the
/// broker. Inputs (commands, sim, timer ticks) go through `EmulatorCore`; what it returns is
/// published in order by one publisher task.
public struct EmulatorService: Service {
    let configuration: EmulatorConfiguration
    let client: any MQTTClient
    let logger: Logger
    let store: LockStore
    let core: CoreBox
    let clock: LockClock
    let topics: DeviceTopics

    /// Loads (or creates) every lock and prepares the MQTT client with its Last Will.
    public init(configuration: EmulatorConfiguration, mqtt: MQTTConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        topics = DeviceTopics(prefix: configuration.topicPrefix)
        store = try LockStore(directory: configuration.stateDirectory)
        let signer = try Self.signer(keyFile: configuration.resolvedKeyFile, logger: logger)
        let unclean = try store.beginRun()
        if unclean { logger.info("the last run did not end cleanly: event counters skip ahead by \(LockStore.sequenceSkip)") }
        var locks: [LockID: EmulatedLock] = [:]
        let hasher = configuration.hashIterations.map { CodeHasher(iterations: $0) } ?? CodeHasher()
        let fitted = Credentials(mechanicalKeyFitted: !configuration.keyless, overrideKeyFitted: !configuration.keyless)
        for text in configuration.lockIDs {
            guard let id = LockID(text) else { throw DeviceLinkError("\"\(text)\" is not a valid lock id") }
            locks[id] = try store.load(text, uncleanStop: unclean) {
                var rng = SystemRandomNumberGenerator()
                return Lock(salt: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }, hasher: hasher, firmware: "1.4.2", credentials: fitted)
            }
        }
        let clock = LockClock(scale: configuration.timeScale)
        // A lock's clock keeps running through a restart of its firmware: it goes on from the
        // last time it saw, never back (under --time-scale the emulator's own clock restarts
        // from the wall clock).
        let started = clock.lockTime(at: Date())
        for id in locks.keys { locks[id]!.continueClock(from: started) }
        let store = self.store, log = logger
        core = CoreBox(EmulatorCore(locks: locks, topics: topics, instance: configuration.instance, signer: signer, logger: logger)) { changed in
            for (id, entry) in changed {
                do { try store.save(id.rawValue, entry) } catch { log.info("cannot save lock state", metadata: ["lock.id": "\(id)", "error": "\(error)"]) }
            }
        }
        self.clock = clock
        var mqtt = mqtt
        mqtt.will = MQTTWill(topic: topics.emulatorStatus(configuration.instance), text: "offline", retain: true)
        client = try MosquittoClient(configuration: mqtt, logger: logger)
    }

    /// Reads the device key, creating one (mode 0600) when the file does not exist yet.
    static func signer(keyFile: String, logger: Logger) throws -> DeviceSigner {
        if !FileManager.default.fileExists(atPath: keyFile) {
            let created = FileManager.default.createFile(
                atPath: keyFile, contents: Data(DeviceSigner.newKeyFileContents().utf8), attributes: [.posixPermissions: 0o600])
            guard created else { throw DeviceLinkError("cannot create the device key file \(keyFile)") }
            logger.info("created a device key; give the bridge the same file", metadata: ["file": "\(keyFile)"])
        }
        return try DeviceSigner(keyFile: keyFile)
    }

    public func run() async throws {
        let (outbox, sink) = AsyncStream.makeStream(of: Outgoing.self)
        // Commands, resends and the physical world in one stream, in the broker's delivery order:
        // a key turned before a command is handled before it, as at a real door.
        let (inputs, input) = AsyncStream.makeStream(of: MQTTMessage.self)
        let signed = SubscribeOptions(qos: .atLeastOnce, retainAsPublished: true)
        try await client.subscribe(topics.all(.cmd), options: signed) { input.yield($0) }
        try await client.subscribe(topics.all(.resend), options: signed) { input.yield($0) }
        if configuration.enableSim { try await client.subscribe(topics.all(.sim), options: SubscribeOptions(qos: .atLeastOnce)) { input.yield($0) } }
        let links = client.connectionEvents()
        try await client.connect()

        announce(sink)
        logger.info(
            "lock-emulator running",
            metadata: ["locks": "\(configuration.lockIDs.count)", "instance": "\(configuration.instance)", "sim": "\(configuration.enableSim)"])
        await withTaskGroup(of: Void.self) { group in
            // Publishes in order until the outbox is finished.
            group.addTask { await publish(outbox) }
            await withTaskGroup(of: Void.self) { workers in
                workers.addTask { await consume(inputs, sink) }
                workers.addTask { await runTicker(sink) }
                workers.addTask {
                    // On every reconnect (the first is announced above): say we are here and
                    // republish every lock.
                    for await link in links.dropFirst() {
                        if case .connected = link { announce(sink) }
                    }
                }
                try? await gracefulShutdown()
                workers.cancelAll()
            }
            logger.info("lock-emulator stopping")
            sink.yield(Outgoing(topic: topics.emulatorStatus(configuration.instance), payload: Array("offline".utf8), retain: true))
            sink.finish()
            group.addTask {
                // Flush as far as the broker allows: if it is gone, stop waiting for it after a while.
                try? await Task.sleep(for: .seconds(configuration.shutdownFlushSeconds))
                guard !Task.isCancelled else { return }
                logger.info("broker unreachable at shutdown: unsent messages dropped")
                await client.disconnect()
            }
            // The publisher has flushed (or the deadline has cut it short).
            await group.next()
            group.cancelAll()
        }
        save(core.with { $0.takeDirty() })
        store.endRun()
        await client.disconnect()
    }

    private func announce(_ sink: AsyncStream<Outgoing>.Continuation) {
        sink.yield(Outgoing(topic: topics.emulatorStatus(configuration.instance), payload: Array("online".utf8), retain: true))
        let wall = Date()
        core.run(into: sink) { $0.snapshots(lockTime: clock.lockTime(at: wall), wall: wall) }
    }

    private func consume(_ messages: AsyncStream<MQTTMessage>, _ sink: AsyncStream<Outgoing>.Continuation) async {
        for await message in messages {
            guard let (id, channel) = topics.parse(message.topic) else { continue }
            let wall = Date()
            let lockTime = clock.lockTime(at: wall)
            core.run(into: sink) { core in
                switch channel {
                case .cmd:
                    let mac = message.properties.userProperties.first { $0.name == DeviceSigner.property }?.value
                    return core.command(id, payload: message.payload, mac: mac, retained: message.retain, lockTime: lockTime, wall: wall)
                case .sim:
                    return core.sim(id, payload: message.payload, lockTime: lockTime, wall: wall)
                case .resend:
                    let mac = message.properties.userProperties.first { $0.name == DeviceSigner.property }?.value
                    return core.resend(id, payload: message.payload, mac: mac, retained: message.retain, lockTime: lockTime, wall: wall)
                default:
                    return []
                }
            }
        }
    }

    private func runTicker(_ sink: AsyncStream<Outgoing>.Continuation) async {
        let interval = max(0.01, configuration.tickInterval)
        let slots = max(1, Int((configuration.heartbeatInterval / interval).rounded()))
        let ticksPerSave = max(1, Int((1 / interval).rounded()))
        var count = 0
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(Int(interval * 1000))) } catch { break }
            let wall = Date()
            let lockTime = clock.lockTime(at: wall)
            core.run(into: sink) { core in
                core.tick(lockTime: lockTime, wall: wall) + core.heartbeats(slot: count, slots: slots, wall: wall)
            }
            count += 1
            if count % ticksPerSave == 0 { save(core.with { $0.takeDirty() }) }
        }
    }

    /// Publishes in order, keeping up to 256 QoS 1 messages in flight.
    private func publish(_ outbox: AsyncStream<Outgoing>) async {
        var inFlight: [PublishReceipt] = []
        var oldest = 0
        for await item in outbox {
            do {
                inFlight.append(try await client.send(item.topic, payload: item.payload, qos: item.qos, retain: item.retain))
            } catch {
                logger.info("publish failed", metadata: ["mqtt.topic": "\(item.topic)", "error": "\(error)"])
            }
            if inFlight.count - oldest > 256 {
                try? await inFlight[oldest].acknowledged()
                oldest += 1
                if oldest > 4096 {
                    inFlight.removeFirst(oldest)
                    oldest = 0
                }
            }
        }
        for receipt in inFlight[oldest...] { try? await receipt.acknowledged() }
    }

    private func save(_ changed: [(LockID, EmulatedLock)]) {
        for (id, entry) in changed {
            do {
                try store.save(id.rawValue, entry)
            } catch {
                logger.info("cannot save lock state", metadata: ["lock.id": "\(id)", "error": "\(error)"])
            }
        }
    }
}
