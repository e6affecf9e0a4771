/// A PIN or override code in the clear, as a user's command carries it, until the bridge hashes
/// it with the lock's salt.
///
/// It never prints, reflects or dumps its digits; ``reveal()`` is the one way out, so every place
/// that handles the plain code is easy to find. LockCore's `PlainCode` is the same idea, but keeps
/// its digits internal to LockCore, so the bridge could not hash it.
public struct SecretCode: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, ExpressibleByStringLiteral
{
    private let digits: String

    /// Wraps a code.
    public init(_ digits: String) { self.digits = digits }
    /// Wraps a literal (tests).
    public init(stringLiteral value: String) { self.digits = value }

    /// The code in the clear, for hashing only: never log, format or publish it.
    public func reveal() -> String { digits }

    /// Compares in time that depends only on the lengths, not on where the digits differ.
    public static func == (lhs: SecretCode, rhs: SecretCode) -> Bool {
        let left = Array(lhs.digits.utf8)
        let right = Array(rhs.digits.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    /// Always `SecretCode(redacted)`.
    public var description: String { "SecretCode(redacted)" }
    /// Always `SecretCode(redacted)`.
    public var debugDescription: String { description }
    /// No children, so `dump` shows nothing of the digits either.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
