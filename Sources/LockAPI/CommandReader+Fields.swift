import Foundation
import JSON
import LockCore

// Typed field access for commands. Every accessor treats an absent key and `null` alike (as the
// JSON module does), and every failure is `invalid_field` naming the key and saying what it must
// be, never what it was.

extension CommandReader {
    /// Slots of codes and fobs.
    static let slotRange = 1...250
    /// Codes a user may type: the remote-operation code, and new keypad and override codes,
    /// whose maximum matches it so that any code that can be set can also be given remotely.
    static let codeLengthRange = 4...12

    /// Reads `key` with `read`, turning a JSON type error into `invalid_field`.
    func value<T>(
        _ key: String, _ what: String, _ read: (JSONObject) throws(JSONError) -> T?
    ) throws(LockError) -> T? {
        do {
            return try read(object)
        } catch {
            throw .badField(key, "\(key) must be \(what)")
        }
    }

    /// `value`, or `invalid_field` when it is absent.
    func required<T>(_ key: String, _ what: String, _ value: T?) throws(LockError) -> T {
        guard let value else { throw .badField(key, "\(key) is required: \(what)") }
        return value
    }

    /// An integer in `range`, or `nil` when absent.
    func int(_ key: String, in range: ClosedRange<Int>) throws(LockError) -> Int? {
        let what = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let number = try value(key, what, { o throws(JSONError) in try o.optionalInt(key) }) else { return nil }
        guard range.contains(number) else { throw .badField(key, "\(key) must be \(what)") }
        return number
    }

    /// A code or fob slot, or `nil` when absent.
    func slot() throws(LockError) -> Int? { try int("slot", in: Self.slotRange) }

    /// A required code or fob slot.
    func requiredSlot() throws(LockError) -> Int {
        try required("slot", "an integer from 1 to 250", slot())
    }

    /// A Boolean, or `nil` when absent.
    func bool(_ key: String) throws(LockError) -> Bool? {
        try value(key, "true or false") { o throws(JSONError) in try o.optionalBool(key) }
    }

    /// A string, or `nil` when absent.
    func string(_ key: String, _ what: String) throws(LockError) -> String? {
        try value(key, what) { o throws(JSONError) in try o.optionalString(key) }
    }

    /// A holder's name: 1 to 64 Unicode scalars, none of them a control character or a line
    /// or paragraph separator (names end up in Home Assistant and in logs, one per line).
    func name() throws(LockError) -> String {
        let what = "1 to 64 characters without control characters"
        let name = try required("name", what, string("name", what))
        let valid = (1...64).contains(name.unicodeScalars.count) && name.unicodeScalars.allSatisfy {
            ![.control, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
        }
        guard valid else { throw .badField("name", "name must be \(what)") }
        return name
    }

    /// A phone id: 1 to 64 of `A-Z a-z 0-9 . _ : -`.
    func phoneID() throws(LockError) -> String {
        let what = "1 to 64 characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'"
        let id = try required("id", what, string("id", what))
        let valid = (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
        }
        guard valid else { throw .badField("id", "id must be \(what)") }
        return id
    }

    /// An RFC 3339 time with any offset, or `nil` when absent.
    func date(_ key: String) throws(LockError) -> Date? {
        let what = "an RFC 3339 time such as 2026-11-25T10:00:00Z"
        guard let text = try string(key, what) else { return nil }
        guard let date = RFC3339.parse(text) else { throw .badField(key, "\(key) must be \(what)") }
        return date
    }

    /// The remote-operation code at `key`: 4 to 12 digits, or `nil` when absent.
    func remoteCode(_ key: String) throws(LockError) -> SecretCode? {
        let what = "a string of 4 to 12 digits"
        guard let text = try string(key, what) else { return nil }
        guard Self.isDigits(text, Self.codeLengthRange) else { throw .badField(key, "\(key) must be \(what)") }
        return SecretCode(text)
    }

    /// A new code in `code`, checked against `policy`: a weak one is `weak_code` with the rule.
    func newCode(_ policy: PINPolicy) throws(LockError) -> SecretCode {
        let what = "a string of digits"
        let text = try required("code", what, string("code", what))
        // Too long is not weak, it is unusable: no keypad or remote code could ever match it.
        guard text.utf8.count <= Self.codeLengthRange.upperBound else {
            throw .badField("code", "code must be at most \(Self.codeLengthRange.upperBound) digits")
        }
        if let violation = policy.violation(for: text) {
            throw LockError(.weakCode, violation.message, rule: violation.rule)
        }
        return SecretCode(text)
    }

    static func isDigits(_ text: String, _ lengths: ClosedRange<Int>) -> Bool {
        lengths.contains(text.utf8.count) && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}
