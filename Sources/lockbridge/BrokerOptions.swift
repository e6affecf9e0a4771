import ArgumentParser
import Foundation
import Logging
import MQTT

/// Broker flags every client subcommand shares, with environment fallbacks.
struct BrokerOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Broker URL: mqtt://[user@]host[:port] or mqtts://… (default: LOCKBRIDGE_BROKER, else mqtt://127.0.0.1:1883).",
        valueName: "url"))
    var broker: String?

    @Option(help: "Read the broker password from this file (default: LOCKBRIDGE_PASSWORD_FILE, else LOCKBRIDGE_PASSWORD).")
    var passwordFile: String?

    @Option(help: "CA certificate for mqtts:// (default: LOCKBRIDGE_CA_FILE).")
    var caFile: String?

    @Option(help: "The bridge's base topic (default: LOCKBRIDGE_BASE_TOPIC, else lockbridge).")
    var baseTopic: String?

    @Option(help: "Seconds to wait for the broker and for the bridge's answer.")
    var timeout: Double = 15

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be within 0…3600 seconds") }
    }

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    var base: String { baseTopic ?? environment["LOCKBRIDGE_BASE_TOPIC"].flatMap { $0.isEmpty ? nil : $0 } ?? "lockbridge" }

    /// A connected session with a clean start: a client command leaves nothing behind on the broker.
    func connect() async throws -> BridgeLink {
        let url = broker ?? environment["LOCKBRIDGE_BROKER"].flatMap { $0.isEmpty ? nil : $0 } ?? "mqtt://127.0.0.1:1883"
        let clientID = "lockbridge-cli-\(UUID().uuidString.prefix(8).lowercased())"
        var config = try MQTTConfiguration(url: url, clientID: clientID, caFile: caFile ?? environment["LOCKBRIDGE_CA_FILE"])
        let file = passwordFile ?? environment["LOCKBRIDGE_PASSWORD_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let password = try BrokerPassword.read(file: file, environment: "LOCKBRIDGE_PASSWORD") { config.password = password }
        config.cleanStart = true
        config.sessionExpiry = 0
        config.connectTimeout = .milliseconds(Int(timeout * 1000))
        var logger = Logger(label: "lockbridge-cli")
        logger.logLevel = .critical
        let client = try MosquittoClient(configuration: config, logger: logger)
        do {
            try await client.connect()
        } catch {
            throw ClientFailure("cannot connect to the broker at \(config.host):\(config.port): \(error)")
        }
        return BridgeLink(client: client, base: base, timeout: timeout)
    }
}
