import ArgumentParser
import Foundation
public import Logging
public import ServiceLifecycle
import UnixSignals

/// The run skeleton that `lockbridge run` and `lock-emulator` share: log to standard error at the
/// chosen level, turn a bad setting into exit code 2 with one line that names it, and run the
/// services in one group that shuts down gracefully on SIGTERM and SIGINT.
public struct ServiceProcess: Sendable {
    /// The program name that starts every line this process writes about itself.
    public let name: String
    public let logger: Logger

    /// Bootstraps logging once for the process; an unknown level falls back to `info`.
    public init(name: String, logLevel: String) {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        self.name = name
        self.logger = Logger(label: name)
    }

    /// Builds the settings; any error is a bad setting: one line on standard error, exit code 2.
    /// The errors thrown here never carry a secret (they name the setting, not its value).
    public func settings<Settings>(_ make: () throws -> Settings) throws -> Settings {
        do {
            return try make()
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Runs the services until they end or a SIGTERM/SIGINT asks them to drain and stop.
    public func run(_ services: [ServiceGroupConfiguration.ServiceConfiguration]) async throws {
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
