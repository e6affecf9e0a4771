/// Decides whether a code is strong enough to set. Pure; the bridge calls it before hashing.
///
/// Rules, in the order checked: minimum length, digits only, the common-PIN lists, one repeated
/// digit, ascending or descending runs (step ±1, wrapping 9→0 and 0→9, so `890123` is refused
/// too), a 4-digit year 1900–2099, and keypad patterns (a code that is a whole row, column or
/// diagonal line of the 3×3+0 keypad walked straight, in either direction, such as 2580, 1470,
/// 147258, 159357, or any 4+ digit slice of the step-2 runs 02468 / 13579 and their reverses). `duplicate_code` needs the hashes, so the lock checks it.
public struct PINPolicy: Sendable, Equatable {
    /// Minimum length (4…12, default 6).
    public var minimumLength: Int

    /// Creates a policy; a minimum below 4 is raised to 4.
    public init(minimumLength: Int = 6) { self.minimumLength = max(4, minimumLength) }

    /// The policy for override codes: at least 8 digits, same weak-pattern rules.
    public static let overrideCode = PINPolicy(minimumLength: 8)

    /// The first rule `code` breaks, or `nil` when it is acceptable.
    public func violation(for code: String) -> PINViolation? {
        let digits = code.utf8.map { Int($0) - 48 }
        if digits.count < minimumLength { return PINViolation(.tooShort) }
        if !digits.allSatisfy({ (0...9).contains($0) }) { return PINViolation(.notDigits) }
        if Self.commonCodes.contains(code) { return PINViolation(.commonCode) }
        if Set(digits).count == 1 { return PINViolation(.repeatedDigit) }
        if Self.isRun(digits, step: 1) { return PINViolation(.ascendingSequence) }
        if Self.isRun(digits, step: 9) { return PINViolation(.descendingSequence) }
        if digits.count == 4, let year = Int(code), (1900...2099).contains(year) { return PINViolation(.year) }
        if Self.isKeypadPattern(code) { return PINViolation(.keypadPattern) }
        return nil
    }

    /// Whether each digit is the previous plus `step`, modulo 10 (1: ascending, 9: descending).
    static func isRun(_ digits: [Int], step: Int) -> Bool {
        zip(digits, digits.dropFirst()).allSatisfy { ($0 + step) % 10 == $1 }
    }

    static func isKeypadPattern(_ code: String) -> Bool {
        keypadPatterns.contains(code) || stepTwoRuns.contains { code.count >= 4 && $0.contains(code) }
    }
}
