import Foundation
import TestSupport

/// What one run of the `lockbridge` client printed and how it exited.
struct ClientRun {
    var code: Int32
    var output: String
}

extension BridgeHarness {
    /// Runs the real `lockbridge` client against this harness's broker and bridge and waits for it.
    func cli(_ arguments: [String], environment: [String: String] = [:], within seconds: Double = 30) async throws -> ClientRun {
        let child = try startCLI(arguments, environment: environment)
        let code = try await child.waitForExit(within: seconds)
        return ClientRun(code: code, output: child.text)
    }

    /// Starts the client without waiting, for `events --follow`.
    func startCLI(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        var env = ["LOCKBRIDGE_BROKER": broker.url, "LOCKBRIDGE_BASE_TOPIC": base]
        for (key, value) in environment { env[key] = value }
        return try ChildProcess("lockbridge", arguments, environment: env)
    }

    /// A file holding `secret`, for --code-file and --new-code-file.
    func secretFile(_ secret: String) throws -> String {
        let path = directory.appendingPathComponent("secret-\(UUID().uuidString.prefix(8))").path
        try "\(secret)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
