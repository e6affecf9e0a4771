import ArgumentParser
import Foundation
import LockAPI
import LockCore

/// When a code, fob or phone works (spec 7.1): its type, one week-day window in the lock's time
/// zone, and its validity. Shared by `codes set`, `fobs enroll` and `phones add`, checked as the
/// lock will check them.
struct RestrictionOptions: ParsableArguments {
    @Option(help: "When it starts working (RFC 3339, e.g. 2027-01-01T08:00:00Z).") var validFrom: String?
    @Option(help: "When it stops working (RFC 3339, e.g. 2027-01-31T18:00:00Z).") var validUntil: String?
    @Option(help: "unrestricted (default), scheduled, and for codes one_time (works once) or duress (opens and raises a silent alert).")
    var type: String?
    @Option(help: "The days of its window, e.g. tue,fri (with --from and --to, in the lock's time zone; makes it scheduled).")
    var days: String?
    @Option(help: "When the window opens each of those days, HH:MM.") var from: String?
    @Option(help: "When it closes, HH:MM (24:00 is midnight; earlier than --from crosses midnight).") var to: String?

    /// The rules and `valid_until`; `forCode` is false for fobs and phones.
    func rules(forCode: Bool) throws -> (AccessRules?, Date?) {
        func time(_ text: String?, _ flag: String) throws -> Date? {
            guard let text else { return nil }
            guard let date = RFC3339.parse(text) else { throw ValidationError("\(flag) must be an RFC 3339 time, e.g. 2027-01-31T18:00:00Z") }
            return date
        }
        let validUntil = try time(validUntil, "--valid-until")
        let window = [days, from, to].compactMap { $0 }
        guard window.isEmpty || window.count == 3 else { throw ValidationError("--days, --from and --to go together") }
        let use: CredentialUse
        if let type {
            guard let known = CredentialUse(rawValue: type) else {
                throw ValidationError("--type must be one of " + CredentialUse.allCases.map(\.rawValue).joined(separator: ", "))
            }
            use = known
        } else {
            use = window.isEmpty ? .unrestricted : .scheduled
        }
        do {
            let schedule = try window.isEmpty
                ? [] : [WeekWindow(days: days!.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, from: from!, to: to!)]
            let rules = try AccessRules(type: use, schedule: schedule, validFrom: try time(validFrom, "--valid-from"))
                .validated(validUntil: validUntil, forCode: forCode)
            return (rules == AccessRules() ? nil : rules, validUntil)
        } catch let error as LockError {
            throw ValidationError(error.message)
        }
    }
}
