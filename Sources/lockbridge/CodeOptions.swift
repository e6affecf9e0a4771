import ArgumentParser
import Foundation

/// The lock's remote-operation code: from a file, an environment variable or a prompt, never argv,
/// so it stays out of shell history and `ps`.
struct CodeOptions: ParsableArguments {
    @Option(help: "Read the remote-operation code from this file (first line). Otherwise LOCKBRIDGE_CODE is used, if set.")
    var codeFile: String?

    @Flag(help: "Prompt for the remote-operation code (input hidden).")
    var askCode = false

    func validate() throws {
        if codeFile != nil && askCode { throw ValidationError("use --code-file or --ask-code, not both") }
    }

    /// The code, or nil when none was given.
    func read() throws -> String? {
        try SecretInput.read(file: codeFile, prompt: askCode ? "Remote code: " : nil, environment: "LOCKBRIDGE_CODE")
    }
}

/// A new code for a keypad slot or the override: again never from argv.
struct NewCodeOptions: ParsableArguments {
    @Option(help: "Read the new code from this file (first line). Otherwise LOCKBRIDGE_NEW_CODE, else a prompt.")
    var newCodeFile: String?

    /// The new code; prompts twice on a terminal when no file or environment variable gives one.
    func read() throws -> String {
        if let code = try SecretInput.read(file: newCodeFile, prompt: nil, environment: "LOCKBRIDGE_NEW_CODE") { return code }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ClientFailure("no new code: give --new-code-file or LOCKBRIDGE_NEW_CODE (or run on a terminal to be asked)")
        }
        let first = try SecretInput.prompt("New code: ")
        guard try SecretInput.prompt("Repeat the new code: ") == first else { throw ClientFailure("the two codes differ; nothing was sent") }
        return first
    }
}

enum SecretInput {
    /// A secret from `file` (its first line), a hidden prompt, or `environment`; nil if none applies.
    static func read(file: String?, prompt: String?, environment: String) throws -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ClientFailure("cannot read \(file)") }
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            let code = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !code.isEmpty else { throw ClientFailure("\(file) is empty") }
            return code
        }
        if let prompt { return try self.prompt(prompt) }
        return ProcessInfo.processInfo.environment[environment].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads a line from the terminal with echo off.
    static func prompt(_ text: String) throws -> String {
        guard let entered = getpass(text) else { throw ClientFailure("cannot prompt: no terminal") }
        let code = String(cString: entered)
        guard !code.isEmpty else { throw ClientFailure("no code entered") }
        return code
    }
}
