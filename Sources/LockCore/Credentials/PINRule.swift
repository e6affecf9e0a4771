/// The rule a refused code broke. The raw value is stable; the message never quotes the code.
public enum PINRule: String, Sendable, Codable, CaseIterable {
    case tooShort = "too_short"
    case notDigits = "not_digits"
    case commonCode = "common_code"
    case repeatedDigit = "repeated_digit"
    case ascendingSequence = "ascending_sequence"
    case descendingSequence = "descending_sequence"
    case year
    case keypadPattern = "keypad_pattern"
    case duplicateCode = "duplicate_code"

    /// What is wrong, in words a person can act on; never contains the code.
    public var message: String {
        switch self {
        case .tooShort: "code is shorter than the minimum length"
        case .notDigits: "code must contain only digits"
        case .commonCode: "code is on a list of the most common PINs"
        case .repeatedDigit: "code is one digit repeated"
        case .ascendingSequence: "code is an ascending sequence"
        case .descendingSequence: "code is a descending sequence"
        case .year: "code is a year between 1900 and 2099"
        case .keypadPattern: "code is a straight line or pattern on the keypad"
        case .duplicateCode: "code is already used by another slot"
        }
    }
}

/// A refused code: the spec's error code `weak_code` plus the rule.
public struct PINViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule broken.
    public var rule: PINRule
    /// Always `weak_code`, the spec's error code.
    public var code: LockErrorCode { .weakCode }
    /// What is wrong, without the code.
    public var message: String { rule.message }
    /// `weak_code: <message>`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// Wraps a rule.
    public init(_ rule: PINRule) { self.rule = rule }
}
