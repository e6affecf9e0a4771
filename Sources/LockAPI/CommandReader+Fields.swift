import Foundation
import JSON
import LockCore

extension CommandReader {
    /// A code field: digits only, 4 to 12 of them, checked against `policy` when given.
    /// The messages name the field and the rule, never the code.
    mutating func readCode(_ field: String, policy: PINPolicy?) throws(CommandRejection) -> PlainCode? {
        allow(field)
        guard let raw = object[field], !raw.isNull else { return nil }
        guard let text = raw.stringValue else { throw reject(.invalidField, "\(field) must be a string of digits", field: field) }
        if let policy, let violation = policy.violation(for: text) {
            throw reject(.weakCode, violation.message, field: field)
        }
        guard (4...12).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw reject(.invalidField, "\(field) must be 4 to 12 digits", field: field)
        }
        return PlainCode(text)
    }

    mutating func slot(required: Bool = true) throws(CommandRejection) -> Int? {
        allow("slot")
        guard let raw = object["slot"], !raw.isNull else {
            if required { throw reject(.invalidField, "slot is required", field: "slot") }
            return nil
        }
        guard let value = raw.intValue, Credentials.slotRange.contains(Int(value)) else {
            throw reject(.invalidField, "slot must be an integer within \(Credentials.slotRange.lowerBound)…\(Credentials.slotRange.upperBound)", field: "slot")
        }
        return Int(value)
    }

    mutating func slot() throws(CommandRejection) -> Int {
        try slot(required: true)!
    }

    mutating func string(_ field: String) throws(CommandRejection) -> String {
        allow(field)
        guard let text = object[field]?.stringValue, !text.isEmpty else {
            throw reject(.invalidField, "\(field) must be a non-empty string", field: field)
        }
        return text
    }

    /// A name a person reads: 1 to 64 characters, no control characters.
    mutating func label(_ field: String) throws(CommandRejection) -> String {
        let text = try string(field)
        guard text.count <= Credentials.maxNameLength, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw reject(.invalidField, "\(field) must be 1 to \(Credentials.maxNameLength) characters without control characters", field: field)
        }
        return text
    }

    mutating func phoneID() throws(CommandRejection) -> String {
        let text = try string("id")
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-".utf8)
        guard text.utf8.count <= 64, text.utf8.allSatisfy(allowed.contains) else {
            throw reject(.invalidField, "id must be 1 to 64 of A-Z a-z 0-9 . _ : -", field: "id")
        }
        return text
    }

    mutating func time(_ field: String) throws(CommandRejection) -> Date? {
        allow(field)
        guard let raw = object[field], !raw.isNull else { return nil }
        guard let text = raw.stringValue, let date = RFC3339.parse(text) else {
            throw reject(.invalidField, "\(field) must be an RFC 3339 time", field: field)
        }
        return date
    }

    mutating func flag(_ field: String) throws(CommandRejection) -> Bool? {
        allow(field)
        guard let raw = object[field], !raw.isNull else { return nil }
        guard let value = raw.boolValue else { throw reject(.invalidField, "\(field) must be true or false", field: field) }
        return value
    }

    mutating func config() throws(CommandRejection) -> LockConfigPatch {
        func number(_ field: String, _ range: ClosedRange<Int>) throws(CommandRejection) -> Int? {
            allow(field)
            guard let raw = object[field], !raw.isNull else { return nil }
            guard let value = raw.intValue, range.contains(Int(value)) else {
                throw reject(.invalidField, "\(field) must be an integer within \(range.lowerBound)…\(range.upperBound)", field: field)
            }
            return Int(value)
        }
        let patch = LockConfigPatch(
            autoRelockSeconds: try number("auto_relock_s", LockConfig.autoRelockRange),
            wrongCodeLimit: try number("wrong_code_limit", LockConfig.wrongCodeLimitRange),
            lockoutSeconds: try number("lockout_s", LockConfig.lockoutRange),
            requireCodeForRemote: try flag("require_code_for_remote"))
        guard patch != LockConfigPatch() else {
            throw reject(.invalidField, "set_config needs at least one of auto_relock_s, wrong_code_limit, lockout_s, require_code_for_remote", field: "auto_relock_s")
        }
        return patch
    }

    private mutating func allow(_ field: String) {
        allowedFields.insert(field)
    }
}
