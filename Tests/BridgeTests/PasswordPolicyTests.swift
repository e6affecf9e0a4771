import Foundation
import MQTT
import Testing
import TestSupport

/// `lockbridge run` and `lock-emulator` refuse an empty, placeholder or well-known broker password
/// with exit code 2, naming the setting and never showing the password.
@Suite struct PasswordPolicyTests {
    /// How a password reaches the program.
    enum Source: Sendable, CustomStringConvertible {
        case file(String)
        case environment(String)
        case url(String)
        var description: String {
            switch self {
            case .file: "password file"
            case .environment: "environment"
            case .url: "broker URL"
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var source: Source
        /// The setting the message must name.
        var setting: String
        /// A password that must not appear in the output (nil when it is a common word the message may contain anyway).
        var secret: String?
        var testDescription: String { "\(source) → \(setting)" }
    }

    static let bridgeCases: [Case] = [
        Case(source: .file(""), setting: "--password-file", secret: nil),
        Case(source: .file("   \n"), setting: "--password-file", secret: nil),
        Case(source: .file("\nhidden-second-line\n"), setting: "--password-file", secret: "hidden-second-line"),
        Case(source: .file("changeme\n"), setting: "--password-file", secret: "changeme"),
        Case(source: .file("change-me-bridge-password\n"), setting: "--password-file", secret: "change-me-bridge-password"),
        Case(source: .file("Mosquitto\n"), setting: "--password-file", secret: "Mosquitto"),
        Case(source: .environment(""), setting: "LOCKBRIDGE_PASSWORD", secret: nil),
        Case(source: .environment("CHANGE_ME"), setting: "LOCKBRIDGE_PASSWORD", secret: "CHANGE_ME"),
        Case(source: .environment("password"), setting: "LOCKBRIDGE_PASSWORD", secret: nil),
        Case(source: .url("changeme"), setting: "--broker", secret: "changeme"),
        Case(source: .url(""), setting: "--broker", secret: nil),
    ]

    @Test(arguments: bridgeCases)
    func bridgeRefusesWeakPasswords(_ c: Case) async throws {
        let (arguments, environment, cleanup) = try Self.setUp(c.source, envVariable: "LOCKBRIDGE_PASSWORD")
        defer { cleanup() }
        // The bridge would connect to port 1 if it got that far; it must stop before.
        let process = try ChildProcess("lockbridge", ["run"] + arguments, environment: environment)
        #expect(try await process.waitForExit() == 2, "output: \(process.text)")
        #expect(process.text.contains(c.setting), "output: \(process.text)")
        #expect(process.text.contains("password"))
        if let secret = c.secret { #expect(!process.text.contains(secret), "output: \(process.text)") }
    }

    @Test func bridgeNamesThePasswordFileKeyOfTheConfigFile() async throws {
        let (arguments, environment, cleanup) = try Self.setUp(.file("lockbridge\n"), envVariable: "LOCKBRIDGE_PASSWORD")
        defer { cleanup() }
        let file = arguments[arguments.firstIndex(of: "--password-file")! + 1]
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("lockbridge-\(UUID()).yaml").path
        try "broker: mqtt://lockbridge@127.0.0.1:1\npassword_file: \(file)\n".write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let process = try ChildProcess("lockbridge", ["run", "--config", config], environment: environment)
        #expect(try await process.waitForExit() == 2)
        #expect(process.text.contains("password_file"), "output: \(process.text)")
    }

    static let emulatorCases: [Case] = [
        Case(source: .file("\n"), setting: "--password-file", secret: nil),
        Case(source: .file("change-me-emulator-password\n"), setting: "--password-file", secret: "change-me-emulator-password"),
        Case(source: .environment(""), setting: "LOCK_EMULATOR_PASSWORD", secret: nil),
        Case(source: .environment("mosquitto"), setting: "LOCK_EMULATOR_PASSWORD", secret: "mosquitto"),
        Case(source: .url("changeme"), setting: "--broker", secret: "changeme"),
    ]

    @Test(arguments: emulatorCases)
    func emulatorRefusesWeakPasswords(_ c: Case) async throws {
        let (arguments, environment, cleanup) = try Self.setUp(c.source, envVariable: "LOCK_EMULATOR_PASSWORD")
        defer { cleanup() }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("emu-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let process = try ChildProcess("lock-emulator", ["--lock", "a", "--state-dir", state] + arguments, environment: environment)
        #expect(try await process.waitForExit() == 2, "output: \(process.text)")
        #expect(process.text.contains(c.setting), "output: \(process.text)")
        if let secret = c.secret { #expect(!process.text.contains(secret), "output: \(process.text)") }
    }

    /// Every placeholder password written in the shipped config and docs is one the programs refuse.
    @Test func everyShippedPlaceholderIsRefused() throws {
        let files = ["README.md", "docs/security.md", "docs/deployment.md", "config/lockbridge.yaml", "config/mosquitto.conf",
                     "config/mosquitto.acl", "config/lockbridge.service", "docker-compose.yml"]
        var placeholders: Set<String> = []
        let pattern = try Regex(#"(?i)change[-_]?me[A-Za-z0-9_-]*"#)
        for file in files {
            let text = try ShippedBroker.file(file)
            for match in text.matches(of: pattern) { placeholders.insert(String(text[match.range])) }
        }
        #expect(!placeholders.isEmpty, "the docs show no placeholder password")
        for placeholder in placeholders { #expect(BrokerPassword.isDefault(placeholder), "\(placeholder)") }
        for weak in ["password", "changeme", "mosquitto", "lockbridge", "Lock-Emulator", " secret ", "CHANGE ME"] {
            #expect(BrokerPassword.isDefault(weak), "\(weak)")
        }
        for strong in ["t-\(UUID().uuidString)", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c"] {
            #expect(!BrokerPassword.isDefault(strong))
        }
    }

    /// Arguments and environment that configure `source`, with LOCKBRIDGE_PASSWORD and
    /// LOCK_EMULATOR_PASSWORD cleared unless the case sets one.
    static func setUp(_ source: Source, envVariable: String) throws -> ([String], [String: String], @Sendable () -> Void) {
        let user = envVariable == "LOCKBRIDGE_PASSWORD" ? "lockbridge" : "lock-emulator"
        switch source {
        case .file(let content):
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID())").path
            try content.write(toFile: file, atomically: true, encoding: .utf8)
            return (["--broker", "mqtt://\(user)@127.0.0.1:1", "--password-file", file], [:], { try? FileManager.default.removeItem(atPath: file) })
        case .environment(let value):
            return (["--broker", "mqtt://\(user)@127.0.0.1:1"], [envVariable: value], {})
        case .url(let password):
            return (["--broker", "mqtt://\(user):\(password)@127.0.0.1:1"], [:], {})
        }
    }
}
