import ArgumentParser
import Foundation

/// Exit codes of the client subcommands (documented in docs/cli.md and in each command's help).
enum ClientExit {
    static let ok: Int32 = 0
    /// Bad usage, or no connection to the broker.
    static let usage: Int32 = 2
    /// The command was understood and refused: wrong code, lockout, weak code, mode, jammed, …
    static let refused: Int32 = 3
    /// The lock is offline, busy or unknown, or the bridge did not answer in time.
    static let unavailable: Int32 = 4

    /// The exit code for a result's `error.code`.
    static func forError(_ code: String) -> Int32 {
        ["lock_offline", "timeout", "busy", "not_found"].contains(code) ? unavailable : refused
    }

    static let help = """
        Exit codes: 0 done; 2 bad usage or no connection to the broker; 3 refused (wrong code, \
        lockout, weak code, mode, jammed, door open …); 4 lock offline, busy or unknown, or no answer in time.
        """
}

/// A client failure with a one-line message for standard error.
struct ClientFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32

    init(_ description: String, exitCode: Int32 = ClientExit.usage) {
        self.description = description
        self.exitCode = exitCode
    }
}

/// Runs a client command: failures print one line to standard error and exit with their code
/// (2 for anything unexpected, such as a broker that cannot be reached).
func runClient(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch let failure as ClientFailure {
        printError(failure.description)
        throw ExitCode(failure.exitCode)
    } catch {
        printError("\(error)")
        throw ExitCode(ClientExit.usage)
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data("lockbridge: \(line)\n".utf8))
}
