import ArgumentParser
import Foundation
import LockAPI
import LockEmulator
import Logging
import MQTT
import ServiceLifecycle
import ServiceProcess

@main
struct LockEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock-emulator",
        abstract: "Simulates one to 10,000 smart locks that talk to LockBridge only through an MQTT broker.",
        discussion: """
            Each lock has a mechanical key, a keypad, Bluetooth phones, fobs, an emergency override \
            and a backup-power contact, and fails in all the ordinary ways (dead battery, Wi-Fi or \
            Bluetooth down, firmware crash or hang, jam, tamper). With --enable-sim, tests and demos \
            drive that physical world on lockdev/<id>/sim (see docs/device-link.md).
            """,
        version: Release.version)

    @Option(help: "Broker URL: mqtt://[user@]host[:port] or mqtts://…")
    var broker = "mqtt://127.0.0.1:1883"

    @Option(name: .customLong("lock"), help: "A lock id to emulate (repeatable).")
    var locks: [String] = []

    @Option(help: "Emulate this many locks, named <prefix>1 … <prefix>N (1 to 10000).")
    var count: Int?

    @Option(help: "Name prefix for --count.")
    var prefix = "lock-"

    @Option(help: "Directory that keeps every lock's state across restarts.")
    var stateDir = "lock-emulator-state"

    @Flag(help: "Listen to lockdev/<id>/sim, so tests and demos can act on the physical world.")
    var enableSim = false

    @Option(help: "Seconds between a lock's heartbeats.")
    var heartbeatInterval: Double = 30

    @Option(help: "Lock time runs this many times faster than real time (battery drain, timers).")
    var timeScale: Double = 1

    @Option(help: "Seconds between timer ticks.")
    var tickInterval: Double = 1

    @Option(help: "The device key shared with the bridge (created in the state directory when not given).")
    var deviceKeyFile: String?

    @Option(help: "Device-link topic prefix.")
    var topicPrefix = "lockdev"

    @Option(help: "This emulator's name on the device link (default: emu-<pid>).")
    var instance: String?

    @Option(help: "CA certificate for mqtts://.")
    var caFile: String?

    @Option(help: "Read the broker password from this file (or set LOCK_EMULATOR_PASSWORD).")
    var passwordFile: String?

    @Option(help: "PBKDF2 rounds for new locks' code hashes.")
    var hashIterations: Int?

    @Flag(help: "New locks have no key cylinder and no override keyhole (keypad-only models); existing locks keep theirs.")
    var keyless = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    func validate() throws {
        if count != nil && !locks.isEmpty { throw ValidationError("give either --lock or --count, not both") }
        if let count, !(1...10_000).contains(count) { throw ValidationError("--count must be within 1…10000") }
        if count == nil && locks.isEmpty { throw ValidationError("give at least one --lock ID, or --count N") }
        guard heartbeatInterval > 0, timeScale > 0, tickInterval > 0 else {
            throw ValidationError("--heartbeat-interval, --time-scale and --tick-interval must be positive")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        let process = ServiceProcess(name: "lock-emulator", logLevel: logLevel)
        let ids = count.map { n in (1...n).map { "\(prefix)\($0)" } } ?? locks
        var settings = EmulatorConfiguration(lockIDs: ids, stateDirectory: stateDir)
        settings.enableSim = enableSim
        settings.heartbeatInterval = heartbeatInterval
        settings.timeScale = timeScale
        settings.tickInterval = tickInterval
        settings.deviceKeyFile = deviceKeyFile
        settings.topicPrefix = topicPrefix
        settings.hashIterations = hashIterations
        settings.keyless = keyless
        if let instance { settings.instance = instance }

        // Like `lockbridge run`: a bad broker setting is exit code 2, and never shows the password.
        let mqtt = try process.settings { try brokerConfiguration(clientID: "lock-emulator-\(settings.instance)") }
        let service = try EmulatorService(configuration: settings, mqtt: mqtt, logger: process.logger)
        try await process.run([.init(service: service)])
    }

    /// The broker URL and password; an empty, placeholder or well-known password is refused.
    private func brokerConfiguration(clientID: String) throws(MQTTError) -> MQTTConfiguration {
        var mqtt = try MQTTConfiguration(url: broker, clientID: clientID, caFile: caFile)
        if let inURL = mqtt.password { try BrokerPassword.check(inURL, setting: "--broker (the password in the URL)") }
        if let password = try BrokerPassword.read(file: passwordFile, environment: "LOCK_EMULATOR_PASSWORD") {
            mqtt.password = password
        }
        return mqtt
    }
}
