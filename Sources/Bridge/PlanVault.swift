import BridgeCore
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import JSON
import LockAPI
import LockCore

/// Seals access plans (with their codes) for the store, AES-256-GCM under the key in
/// `plan_key_file`, bound to the plan's name. The key never goes into the database: a copy of
/// the database alone gives no code away (spec 7.2).
struct PlanVault: Sendable {
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    init(key: [UInt8]) { keyBytes = key }

    /// Reads the key file, or makes it (mode 0600) when there is none. A key file that group or
    /// others may read is refused: it guards every plan's codes.
    init(keyFile path: String) throws(ConfigurationError) {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? manager.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            // O_EXCL: of several bridges starting at once on one shared key file, one makes it
            // and the others read that one.
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                let text = Array((Hex.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }) + "\n").utf8)
                let written = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                Glibc.close(fd)
                guard written == text.count else { throw ConfigurationError(key: "plan_key_file", message: "cannot write the plan key file \(path)") }
            } else if errno != EEXIST {
                throw ConfigurationError(key: "plan_key_file", message: "cannot create the plan key file \(path)")
            }
        }
        if let mode = (try? manager.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw ConfigurationError(
                key: "plan_key_file", message: "\(path) may be read by group or others; it guards the access plans' codes: chmod 600 \(path)")
        }
        guard let data = manager.contents(atPath: path),
            let bytes = Hex.decode(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
        else { throw ConfigurationError(key: "plan_key_file", message: "\(path) must hold a 256-bit key as 64 hex digits") }
        keyBytes = bytes
    }

    func seal(_ definition: PlanDefinition) -> [UInt8] {
        guard let plain = try? definition.object.serializedBytes(),
            let box = try? AES.GCM.seal(plain, using: key, nonce: AES.GCM.Nonce(), authenticating: Self.context(definition.plan.name)),
            let combined = box.combined
        else { return [] }
        return Array(combined)
    }

    /// The plan, if it was sealed under this key for this name.
    func open(_ sealed: [UInt8], name: String) throws(BridgeRequestError) -> PlanDefinition {
        guard let box = try? AES.GCM.SealedBox(combined: sealed), let plain = try? AES.GCM.open(box, using: key, authenticating: Self.context(name)),
            let o = try? JSON.parseObject(Array(plain))
        else { throw BridgeRequestError(code: "internal_error", message: "the stored plan \"\(name)\" does not open with the plan key") }
        return try PlanDefinition(object: o)
    }

    private static func context(_ name: String) -> [UInt8] { Array("lockbridge-plan:v1".utf8) + [0] + Array(name.utf8) }
}
