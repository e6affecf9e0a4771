import Crypto
import Foundation
import LockCore

/// Signs and checks device-link commands: HMAC-SHA256 over the lock id, a zero byte and the
/// exact payload bytes, keyed by the device key that bridge and locks share.
public struct DeviceSigner: Sendable {
    /// The MQTT 5 user property that carries the MAC.
    public static let property = "mac"
    let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(key: [UInt8]) { keyBytes = key }

    /// Reads a key file: at least 32 bytes of key material (raw, or hex on one line).
    public init(keyFile path: String) throws(DeviceLinkError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DeviceLinkError("cannot read the device key file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes = Hex.decode(text) ?? Array(data)
        guard bytes.count >= 32 else {
            throw DeviceLinkError("the device key in \(path) is shorter than 32 bytes")
        }
        self.init(key: bytes)
    }

    /// The MAC of `payload` for `lock`, as lowercase hex.
    public func mac(lock: LockID, payload: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Self.message(lock, payload), using: key)
        return Hex.encode(Array(code))
    }

    /// Whether `mac` is right for `payload` (compared in constant time).
    public func verify(lock: LockID, payload: [UInt8], mac: String) -> Bool {
        guard let given = Hex.decode(mac) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Self.message(lock, payload), using: key)
    }

    private static func message(_ lock: LockID, _ payload: [UInt8]) -> [UInt8] {
        Array(lock.rawValue.utf8) + [0] + payload
    }

    /// A new random key, hex-encoded, for a key file.
    public static func newKeyFileContents() -> String {
        Hex.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }) + "\n"
    }
}

/// A device-link payload or key that cannot be used; the message says why, never a secret.
public struct DeviceLinkError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The JSON field at fault, when there is one.
    public var field: String?
    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }
    public var description: String { message }
}
