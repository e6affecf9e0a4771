import ArgumentParser
import LockAPI

struct FobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fobs", abstract: "RFID fobs: list, enroll, revoke.", subcommands: [List.self, Enroll.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a lock's enrolled fobs.")
        @OptionGroup var credentials: CredentialsQuery
        func run() async throws {
            try await credentials.show("fobs", \.fobs, columns: [
                ("SLOT", { "\($0.slot)" }), ("NAME", \.name), ("TYPE", { Cell.type($0.rules) }), ("WHEN", { Cell.windows($0.rules) }),
                ("USABLE NOW", { Cell.yesNo($0.usableNow) }), ("ENROLLED AT", { Cell.time($0.enrolledAt) }), ("VALID UNTIL", { Cell.time($0.validUntil) }),
                ("LAST USED", { Cell.time($0.lastUsedAt) }),
            ])
        }
    }

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start fob enrolment, then wait up to 60 s for the fob to be tapped on the lock.",
            discussion: "Other commands to the lock get busy meanwhile. \(ClientExit.help)")
        @OptionGroup var target: LockTarget
        @Option(help: "A name for the fob, e.g. \"Blue fob\".") var name: String
        @Option(help: "Slot number, 1…250 (default: the lock picks a free one).") var slot: Int?
        @OptionGroup var restrictions: RestrictionOptions

        func validate() throws { _ = try restrictions.rules(forCode: false) }

        func run() async throws {
            let (rules, validUntil) = try restrictions.rules(forCode: false)
            print("tap the fob on \(target.lock) within 60 s …")
            // The lock waits 60 s for the tap; the bridge answers after it, so wait longer than that.
            try await target.send(.enrollFob(name: name, slot: slot, rules: rules, validUntil: validUntil), wait: max(target.broker.timeout, 75))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an enrolled fob.", discussion: ClientExit.help)
        @OptionGroup var target: LockTarget
        @Option(help: "The fob's slot (see `fobs list`).") var slot: Int
        func run() async throws { try await target.send(.revokeFob(slot: slot)) }
    }
}

struct PhonesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phones", abstract: "Bluetooth phones: list, add, revoke.", subcommands: [List.self, Add.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a lock's phones.")
        @OptionGroup var credentials: CredentialsQuery
        func run() async throws {
            try await credentials.show("phones", \.phones, columns: [
                ("ID", \.id), ("NAME", \.name), ("TYPE", { Cell.type($0.rules) }), ("WHEN", { Cell.windows($0.rules) }),
                ("USABLE NOW", { Cell.yesNo($0.usableNow) }), ("ADDED AT", { Cell.time($0.addedAt) }), ("VALID UNTIL", { Cell.time($0.validUntil) }),
                ("LAST USED", { Cell.time($0.lastUsedAt) }),
            ])
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allow a phone to lock and unlock over Bluetooth.", discussion: ClientExit.help)
        @OptionGroup var target: LockTarget
        @Option(help: "The phone's id (A-Z a-z 0-9 . _ : -), e.g. anna-pixel.") var id: String
        @Option(help: "Whose phone it is, e.g. Anna.") var name: String
        @OptionGroup var restrictions: RestrictionOptions

        func validate() throws { _ = try restrictions.rules(forCode: false) }

        func run() async throws {
            let (rules, validUntil) = try restrictions.rules(forCode: false)
            try await target.send(.addPhone(id: id, name: name, rules: rules, validUntil: validUntil))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a phone.", discussion: ClientExit.help)
        @OptionGroup var target: LockTarget
        @Option(help: "The phone's id.") var id: String
        func run() async throws { try await target.send(.revokePhone(id: id)) }
    }
}
