import Foundation
import MQTT
import Testing
import TestSupport

/// A private mosquitto that runs the repository's own config/mosquitto.conf and
/// config/mosquitto.acl, with a password file made by mosquitto_passwd for `users`.
enum ShippedBroker {
    /// The repository root (this file is Tests/BridgeTests/ShippedBroker.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func file(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Random passwords for the ACL's users, made fresh for each test.
    static func passwords() -> [String: String] {
        Dictionary(uniqueKeysWithValues: ["lockbridge", "lock-emulator", "automation", "admin", "homeassistant"].map {
            ($0, "t-\(UUID().uuidString)")
        })
    }

    static func start(users: [String: String]) async throws -> Broker {
        let config = try file("config/mosquitto.conf")
        let acl = try file("config/mosquitto.acl")
        return try await Broker.start(BrokerOptions(users: users, acl: acl, config: { port, directory in
            try rewrite(config, port: port, directory: directory)
        }))
    }

    /// The shipped config with only the listener's port and the file paths changed, plus what a
    /// test broker needs: to stay root (it writes into the test's directory) and debug logging
    /// (which shows every denied publish).
    static func rewrite(_ config: String, port: Int, directory: String) throws -> String {
        var replaced: [String: Int] = [:]
        var lines = config.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let key = line.split(separator: " ").first.map(String.init) ?? ""
            let new: String? = switch key {
            case "listener": "listener \(port) 127.0.0.1"
            case "password_file": "password_file \(directory)/passwords"
            case "acl_file": "acl_file \(directory)/acl"
            case "persistence_location": "persistence_location \(directory)/"
            case "log_dest": "log_dest file \(directory)/mosquitto.log"
            default: nil
            }
            guard let new else { return String(line) }
            replaced[key, default: 0] += 1
            return new
        }
        // The file must still say each of these exactly once, or the rewrite tests something else.
        for key in ["listener", "password_file", "acl_file", "persistence_location", "log_dest"] where replaced[key] != 1 {
            throw FixtureError("config/mosquitto.conf has \(replaced[key] ?? 0) active \(key) lines; expected 1")
        }
        lines += ["user \(ProcessInfo.processInfo.userName)", "log_type debug"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A client logged in as `user`, already connected.
    static func connect(_ broker: Broker, _ user: String, _ users: [String: String]) async throws -> MosquittoClient {
        try await TestClients.connect(broker, user) {
            $0.username = user
            $0.password = users[user]
        }
    }
}
