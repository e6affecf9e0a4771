import Crypto
import Foundation
public import LockCore

/// Codes on the device link (version 2, spec 3.2): AES-256-GCM under a key derived from the
/// device key with HKDF-SHA256, with a fresh random 96-bit nonce per message, and bound to the
/// lock and the field it was sealed for. Never a bare hash: a published salt and hash of a
/// 6-digit code give the code away in minutes, a sealed code gives nothing without the key.
/// The lock opens it and keeps only its own salted hash.
public struct CodeSeal: Sendable {
    /// The field of the code that authorises a remote operation.
    public static let remoteCodeField = "code_enc"
    /// The field of a new code (`set_code`, `set_override_code`).
    public static let newCodeField = "new_code_enc"

    // The derived key's bytes (SymmetricKey is not Sendable), as DeviceSigner keeps its key.
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(deviceKey: [UInt8]) {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: deviceKey), salt: Array("lockbridge device link".utf8),
            info: Array("code seal v2".utf8), outputByteCount: 32)
        keyBytes = derived.withUnsafeBytes { Array($0) }
    }

    /// Nonce, ciphertext and tag, in that order (`AES.GCM.SealedBox.combined`); empty only if
    /// the platform's AES fails, which the lock then refuses like any unreadable code.
    public func seal(_ code: String, lock: LockID, field: String) -> [UInt8] {
        guard let box = try? AES.GCM.seal(Array(code.utf8), using: key, nonce: AES.GCM.Nonce(), authenticating: Self.context(lock, field)),
            let combined = box.combined
        else { return [] }
        return Array(combined)
    }

    /// The code, if `sealed` was made with this key for this lock and field; the error names the
    /// field, never a value.
    public func open(_ sealed: [UInt8], lock: LockID, field: String) throws(DeviceLinkError) -> String {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let plain = try? AES.GCM.open(box, using: key, authenticating: Self.context(lock, field)),
            let code = String(bytes: plain, encoding: .utf8)
        else { throw DeviceLinkError("the sealed code does not open with this device key", field: field) }
        return code
    }

    /// What the tag also covers: a sealed code cannot be moved to another lock or field.
    private static func context(_ lock: LockID, _ field: String) -> [UInt8] {
        Array("lockbridge-code:v2".utf8) + [0] + Array(lock.rawValue.utf8) + [0] + Array(field.utf8)
    }
}

extension DeviceSigner {
    /// The code seal under this device key.
    public var codeSeal: CodeSeal { CodeSeal(deviceKey: keyBytes) }
}
