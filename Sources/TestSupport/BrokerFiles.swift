import Foundation

/// Writes a private broker's config, password file and TLS material into its directory.
enum BrokerFiles {
    static func writeConfig(_ options: BrokerOptions, port: Int, in directory: URL) throws {
        if let custom = options.config {
            if !options.users.isEmpty { try writePasswords(options.users, to: directory.appendingPathComponent("passwords")) }
            try options.acl?.write(to: directory.appendingPathComponent("acl"), atomically: true, encoding: .utf8)
            try custom(port, directory.path).write(
                to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
            return
        }
        var lines = [
            "listener \(port) 127.0.0.1",
            // A config with a listener turns anonymous access off unless it says otherwise.
            "allow_anonymous \(options.anonymous)",
            // Without it every hop waits ~40 ms for a delayed ACK.
            "set_tcp_nodelay true",
            // Started as root, mosquitto drops to user "mosquitto", who cannot write our directory.
            "user \(ProcessInfo.processInfo.userName)",
            "max_queued_messages \(options.maxQueuedMessages)",
            "log_dest file \(directory.path)/mosquitto.log",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
        ]
        if options.persistence {
            lines += ["persistence true", "persistence_location \(directory.path)/", "autosave_interval 1800"]
        }
        if !options.users.isEmpty {
            try writePasswords(options.users, to: directory.appendingPathComponent("passwords"))
            lines.append("password_file \(directory.path)/passwords")
        }
        if let acl = options.acl {
            try acl.write(to: directory.appendingPathComponent("acl"), atomically: true, encoding: .utf8)
            lines.append("acl_file \(directory.path)/acl")
        }
        if options.tls {
            try TLSMaterial.make(in: directory)
            lines += [
                "cafile \(directory.path)/ca.crt",
                "certfile \(directory.path)/server.crt",
                "keyfile \(directory.path)/server.key",
            ]
        }
        lines += options.extraConfig
        try (lines.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
    }

    private static func writePasswords(_ users: [String: String], to file: URL) throws {
        _ = FileManager.default.createFile(atPath: file.path, contents: Data())
        for (user, password) in users.sorted(by: { $0.key < $1.key }) {
            try run("/usr/bin/mosquitto_passwd", ["-b", file.path, user, password])
        }
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fixture-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let code = try Spawned(tool, arguments, outputFile: log).waitForExit()
        guard code == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw FixtureError("\(tool) failed (exit \(code)): \(output)")
        }
    }
}
