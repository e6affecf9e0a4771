import ArgumentParser
import Bridge
import BridgeCore
import Foundation
import LockAPI
import Logging
import MQTT
import ServiceLifecycle
import ServiceProcess

/// `lockbridge run`: the bridge process.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the bridge between the locks' device link and the public MQTT API.",
        discussion: "Settings come from --config (YAML, see config/lockbridge.yaml); flags override them. Exit code 2 means a bad setting.")

    @Option(help: "Broker URL: mqtt://[user@]host[:port] or mqtts://… (the password comes from --password-file or LOCKBRIDGE_PASSWORD).")
    var broker: String?

    @Option(help: "A YAML config file.")
    var config: String?

    @Option(help: "Directory for the audit log, outbox and dedupe memory (SQLite).")
    var dataDir: String?

    @Option(help: "Base topic of the public API.")
    var baseTopic: String?

    @Option(help: "The device key shared with the locks (the emulator's --device-key-file).")
    var deviceKeyFile: String?

    @Option(help: "The key that seals access plans' codes in the store (default: plan.key in the data directory; made when missing).")
    var planKeyFile: String?

    @Option(help: "Access plans: at most this many locks written at once.")
    var planParallel: Int?

    @Option(help: ArgumentHelp("Several bridges on one PostgreSQL database: postgres://user@host:port/database (the password from --postgres-password-file or LOCKBRIDGE_POSTGRES_PASSWORD).", valueName: "url"))
    var postgres: String?

    @Option(help: "Read the PostgreSQL password from this file.")
    var postgresPasswordFile: String?

    @Option(help: "With --postgres: this bridge's name among the others (default: host name and process id).")
    var instance: String?

    @Option(help: "With --postgres: seconds before a dead bridge's shards are taken over (default 5).")
    var takeover: Double?

    @Option(help: "Device-link topic prefix.")
    var deviceTopicPrefix: String?

    @Option(help: "Seconds without a heartbeat before a lock is offline.")
    var offlineAfter: Double?

    @Option(help: "Seconds before a command's issued_at makes it expired.")
    var commandMaxAge: Double?

    @Option(help: "Seconds to wait for a lock to answer a command.")
    var commandTimeout: Double?

    @Option(help: "Seconds between a lock's signed liveness probes (a hung firmware is noticed within this).")
    var probeInterval: Double?

    @Option(help: "Days before a code is due for rotation (fractions allowed).")
    var codeRotationDays: Double?

    @Option(help: "Seconds between timer ticks.")
    var tickInterval: Double?

    @Option(help: "Home Assistant discovery prefix.")
    var discoveryPrefix: String?

    @Option(help: "Home Assistant discovery layout: device (one config per lock, Home Assistant 2024.11 and later) or entity (one per entity).")
    var discoveryMode: DiscoveryLayout?

    @Flag(inversion: .prefixedNo, help: "Publish Home Assistant discovery configs (default: on, or as the config file says).")
    var discovery: Bool?

    @Option(help: "CA certificate for mqtts://.")
    var caFile: String?

    @Option(help: "Read the broker password from this file.")
    var passwordFile: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    func run() async throws {
        let process = ServiceProcess(name: "lockbridge", logLevel: logLevel)
        let (settings, mqtt) = try process.settings(makeConfiguration)
        MemoryHygiene.limitArenas()
        let service: BridgeService
        do {
            service = try BridgeService(configuration: settings, mqtt: mqtt, logger: process.logger)
        } catch let error as ConfigurationError {
            // A plan key file that others can read is a bad setting too (exit 2).
            service = try process.settings { () throws -> BridgeService in throw error }
        }
        try await process.run(service.services.map { .init(service: $0) } + [.init(service: MemoryTrimmer(), successTerminationBehavior: .ignore)])
    }

    private func makeConfiguration() throws -> (BridgeConfiguration, MQTTConfiguration) {
        var settings = BridgeConfiguration()
        var extras = BridgeConfiguration.FileExtras()
        if let config {
            guard let text = try? String(contentsOfFile: config, encoding: .utf8) else {
                throw ConfigurationError(message: "cannot read the config file \(config)")
            }
            extras = try settings.apply(yaml: text)
        }
        if let dataDir { settings.dataDirectory = dataDir }
        if let baseTopic { settings.baseTopic = baseTopic }
        if let deviceKeyFile { settings.deviceKeyFile = deviceKeyFile }
        if let deviceTopicPrefix { settings.deviceTopicPrefix = deviceTopicPrefix }
        if let planKeyFile { settings.planKeyFile = planKeyFile }
        if let postgres {
            if settings.cluster == nil { settings.cluster = ClusterSettings(postgres: postgres) } else { settings.cluster?.postgres = postgres }
        }
        if let instance {
            guard settings.cluster != nil, LockID(instance) != nil else { throw ConfigurationError(key: "--instance", message: "needs --postgres, and a name like a lock id") }
            settings.cluster?.instance = instance
        }
        if let takeover {
            guard settings.cluster != nil, (1...300).contains(takeover) else { throw ConfigurationError(key: "--takeover", message: "needs --postgres, and 1 to 300 seconds") }
            settings.cluster?.takeoverSeconds = takeover
        }
        if let postgresPasswordFile {
            guard settings.cluster != nil else { throw ConfigurationError(key: "--postgres-password-file", message: "needs --postgres or cluster.postgres") }
            settings.cluster?.passwordFile = postgresPasswordFile
        }
        if let planParallel {
            guard (1...256).contains(planParallel) else { throw ConfigurationError(key: "--plan-parallel", message: "expected 1 to 256") }
            settings.planParallel = planParallel
        }
        if let offlineAfter { settings.offlineAfter = offlineAfter }
        if let commandMaxAge { settings.commandMaxAge = commandMaxAge }
        if let commandTimeout { settings.commandTimeout = commandTimeout }
        if let probeInterval { settings.probeInterval = probeInterval }
        if let codeRotationDays { settings.codeRotationDays = codeRotationDays }
        if let tickInterval { settings.tickInterval = tickInterval }
        if let discovery { settings.discovery = discovery }
        if let discoveryPrefix { settings.discoveryPrefix = discoveryPrefix }
        if let discoveryMode { settings.discoveryMode = discoveryMode.mode }
        var mqtt = try MQTTConfiguration(
            url: broker ?? extras.broker ?? "mqtt://127.0.0.1:1883", clientID: "lockbridge-\(settings.baseTopic.replacingOccurrences(of: "/", with: "-"))",
            caFile: caFile ?? extras.caFile)
        if let user = extras.username, mqtt.username == nil { mqtt.username = user }
        // A password configured but empty, or a shipped placeholder or well-known default, stops
        // the bridge with exit code 2 (docs/security.md); the message names the setting, never the value.
        if let inURL = mqtt.password { try BrokerPassword.check(inURL, setting: "--broker (the password in the URL)") }
        let fileSetting = passwordFile != nil ? "--password-file" : "password_file (in \(config ?? "the config file"))"
        if let password = try BrokerPassword.read(
            file: passwordFile ?? extras.passwordFile, fileSetting: fileSetting, environment: "LOCKBRIDGE_PASSWORD")
        {
            mqtt.password = password
        }
        // The session outlives short outages, so commands sent meanwhile still arrive (then expire by rule).
        mqtt.cleanStart = false
        mqtt.sessionExpiry = 3600
        return (settings, mqtt)
    }
}

/// `--discovery-mode`, as ArgumentParser reads it (``DiscoveryMode`` is BridgeCore's).
enum DiscoveryLayout: String, ExpressibleByArgument, CaseIterable {
    case device, entity
    var mode: DiscoveryMode { DiscoveryMode(rawValue: rawValue)! }
}
