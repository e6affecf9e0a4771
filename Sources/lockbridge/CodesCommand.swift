import ArgumentParser
import Foundation
import JSON
import LockAPI
import LockCore

struct CodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes", abstract: "Keypad codes: list, set, clear, enable, disable; and the override code.",
        subcommands: [List.self, Set.self, Clear.self, Enable.self, Disable.self, SetOverride.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a lock's keypad codes: slot, name, type and windows, state, age and rotation date, and the access plan that owns the slot. Never the codes themselves.")
        @OptionGroup var credentials: CredentialsQuery
        func run() async throws {
            try await credentials.show("codes", \.codes, columns: [
                ("SLOT", { "\($0.slot)" }), ("NAME", \.name), ("TYPE", { Cell.type($0.rules) }), ("WHEN", { Cell.windows($0.rules) }),
                ("USABLE NOW", { $0.usedUp ? "used up" : Cell.yesNo($0.usableNow) }), ("ENABLED", { Cell.yesNo($0.enabled) }),
                ("SET AT", { Cell.time($0.setAt) }),
                ("ROTATE BY", { Cell.time($0.rotateBy) }), ("VALID UNTIL", { Cell.time($0.validUntil) }),
                ("LAST USED", { Cell.time($0.lastUsedAt) }), ("PLAN", { $0.plan ?? "-" }),
            ])
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the code of a keypad slot.",
            discussion: """
                The new code comes from --new-code-file, LOCKBRIDGE_NEW_CODE or a prompt (asked twice); \
                the lock's remote code, if it requires one, from --code-file, --ask-code or LOCKBRIDGE_CODE. \
                Weak codes (too short, common, one digit, runs, years, keypad patterns) are refused. \(ClientExit.help)
                """)
        @OptionGroup var target: LockTarget
        @Option(help: "Slot number, 1…250.") var slot: Int
        @Option(help: "Who the code is for, e.g. \"Dog walker\".") var name: String
        @OptionGroup var restrictions: RestrictionOptions
        @Flag(help: "Replace the code of an occupied slot.") var replace = false
        @OptionGroup var newCode: NewCodeOptions

        func validate() throws { _ = try restrictions.rules(forCode: true) }

        func run() async throws {
            let (rules, validUntil) = try restrictions.rules(forCode: true)
            let code = try await runClientValue { try newCode.read() }
            try await target.send(
                .setCode(slot: slot, name: name, code: SecretCode(code), validUntil: validUntil, replace: replace, rules: rules))
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Clear a keypad slot.", discussion: ClientExit.help)
        @OptionGroup var target: LockTarget
        @Option(help: "Slot number, 1…250.") var slot: Int
        func run() async throws { try await target.send(.clearCode(slot: slot)) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled keypad code.", discussion: ClientExit.help)
        @OptionGroup var target: LockTarget
        @Option(help: "Slot number, 1…250.") var slot: Int
        func run() async throws { try await target.send(.enableCode(slot: slot)) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a keypad code without forgetting it.", discussion: ClientExit.help)
        @OptionGroup var target: LockTarget
        @Option(help: "Slot number, 1…250.") var slot: Int
        func run() async throws { try await target.send(.disableCode(slot: slot)) }
    }

    struct SetOverride: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-override", abstract: "Set the emergency override code (at least 8 digits).",
            discussion: "The new code comes from --new-code-file, LOCKBRIDGE_NEW_CODE or a prompt. \(ClientExit.help)")
        @OptionGroup var target: LockTarget
        @OptionGroup var newCode: NewCodeOptions
        func run() async throws {
            let code = try await runClientValue { try newCode.read() }
            try await target.send(.setOverrideCode(code: SecretCode(code)))
        }
    }
}

/// `list` subcommands: the lock's credential metadata through the `credentials` bridge request.
struct CredentialsQuery: ParsableArguments {
    @OptionGroup var broker: BrokerOptions
    @Argument(help: "The lock id, e.g. front-door.") var lock: String
    @Flag(help: "Print JSON for scripts.") var json = false

    func validate() throws {
        guard LockID(lock) != nil else { throw ValidationError("\"\(lock)\" is not a lock id") }
    }

    /// Prints the rows of one kind of credential as a table of `columns` (header, cell), or the
    /// bridge's JSON under `key` with --json.
    func show<Row>(_ key: String, _ rows: (CredentialList) -> [Row], columns: [(header: String, cell: (Row) -> String)]) async throws {
        try await runClient {
            let link = try await broker.connect()
            let answer = try await link.request(.credentials(lock: LockID(lock)!))
            await link.close()
            if json { return print(try (answer.objectValue?[key] ?? .array([])).serialized()) }
            guard let object = answer.objectValue else { throw JSONError(.notAnObject, detail: "the credentials answer is not an object") }
            let items = rows(try CredentialList(json: object))
            guard !items.isEmpty else { return print("no \(key) on \(lock)") }
            var table = TextTable(columns.map(\.header))
            for item in items { table.add(columns.map { $0.cell(item) }) }
            print(table.rendered)
        }
    }
}

/// Table cells: `-` for what is absent.
enum Cell {
    static func time(_ date: Date?) -> String { date.map(RFC3339.format) ?? "-" }
    static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }
    static func type(_ rules: AccessRules?) -> String { (rules?.type ?? .unrestricted).rawValue }

    /// `tue,fri 08:00-12:00; from 2027-01-01T…`, or `-` for a code that works at any time.
    static func windows(_ rules: AccessRules?) -> String {
        guard let rules else { return "-" }
        var parts = rules.schedule.map { w in "\(w.days.map(\.rawValue).joined(separator: ",")) \(WeekWindow.text(w.from))-\(WeekWindow.text(w.to))" }
        if let from = rules.validFrom { parts.append("from \(RFC3339.format(from))") }
        return parts.isEmpty ? "-" : parts.joined(separator: "; ")
    }
}

/// Like `runClient`, for a step that produces a value before the command is sent.
func runClientValue<T>(_ body: () async throws -> T) async throws -> T {
    var value: T?
    try await runClient { value = try await body() }
    return value!
}
