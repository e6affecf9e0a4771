/// A code typed on the physical keypad, in the clear only until the lock hashes it.
/// It never prints or reflects its digits.
public struct PlainCode: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, ExpressibleByStringLiteral
{
    let value: String

    /// Wraps a typed code.
    public init(_ value: String) { self.value = value }
    /// Wraps a literal (tests).
    public init(stringLiteral value: String) { self.value = value }

    /// Always `PlainCode(redacted)`.
    public var description: String { "PlainCode(redacted)" }
    /// Always `PlainCode(redacted)`.
    public var debugDescription: String { description }
    /// No children, so `dump` shows nothing either.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
