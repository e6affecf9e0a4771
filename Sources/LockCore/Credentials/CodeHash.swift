/// A salted PBKDF2-SHA256 hash of a PIN or override code: the only form a code is stored or
/// carried in. It never prints its bytes, and compares in constant time.
public struct CodeHash: Sendable, Equatable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The derived key bytes (32 for SHA-256). Kept internal so nothing formats them by accident.
    let bytes: [UInt8]

    /// Wraps already-derived bytes, e.g. decoded from the device link.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The bytes, for the wire codec only; never log them.
    public var rawBytes: [UInt8] { bytes }

    /// Compares in time that depends only on the lengths, not on where the bytes differ.
    /// An empty hash (a failed derivation) equals nothing, not even itself: it must never open.
    public static func == (lhs: CodeHash, rhs: CodeHash) -> Bool {
        guard !lhs.bytes.isEmpty, lhs.bytes.count == rhs.bytes.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.bytes.indices { difference |= lhs.bytes[index] ^ rhs.bytes[index] }
        return difference == 0
    }

    /// Always `CodeHash(redacted)`.
    public var description: String { "CodeHash(redacted)" }
    /// Always `CodeHash(redacted)`.
    public var debugDescription: String { description }

    /// Encodes as a lowercase hex string (compact in the emulator's JSON state).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Hex.encode(bytes))
    }

    /// Decodes the hex string written by `encode(to:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let bytes = Hex.decode(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "CodeHash is not hex")
        }
        self.bytes = bytes
    }
}

/// Lowercase hex, without Foundation's formatting.
/// Lowercase hex, for hashes and salts on the wire and on disk.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `text` (either case); nil if it is not hex.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count.isMultiple(of: 2) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
