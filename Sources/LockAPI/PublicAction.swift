public import Foundation
public import LockCore

/// A public command (spec section 4) as the bridge received it, codes still in plain text.
/// The bridge hashes them with the lock's salt before anything reaches the lock.
public enum PublicAction: Sendable, Equatable {
    case lock, unlock, open
    case setCode(slot: Int, name: String, code: PlainCode, validUntil: Date?, replace: Bool)
    case clearCode(slot: Int)
    case enableCode(slot: Int)
    case disableCode(slot: Int)
    case enrollFob(name: String, slot: Int?)
    case revokeFob(slot: Int)
    case addPhone(id: String, name: String)
    case revokePhone(id: String)
    case setOverrideCode(code: PlainCode)
    case setMode(LockMode)
    case setConfig(LockConfigPatch)
    case restart
    case factoryReset(confirm: String)
    case refresh
    /// Handled by the bridge itself (only `override_used` can be acknowledged).
    case ackFault(FaultCode)

    /// The spec's command name.
    public var name: String {
        switch self {
        case .lock: "lock"
        case .unlock: "unlock"
        case .open: "open"
        case .setCode: "set_code"
        case .clearCode: "clear_code"
        case .enableCode: "enable_code"
        case .disableCode: "disable_code"
        case .enrollFob: "enroll_fob"
        case .revokeFob: "revoke_fob"
        case .addPhone: "add_phone"
        case .revokePhone: "revoke_phone"
        case .setOverrideCode: "set_override_code"
        case .setMode: "set_mode"
        case .setConfig: "set_config"
        case .restart: "restart"
        case .factoryReset: "factory_reset"
        case .refresh: "refresh"
        case .ackFault: "ack_fault"
        }
    }

    /// The command for the lock, with codes hashed by `hash`; nil for bridge-only commands.
    public func lockCommand(hash: (String) -> CodeHash) -> LockCommand? {
        switch self {
        case .lock: .lock
        case .unlock: .unlock
        case .open: .open
        case .setCode(let slot, let name, let code, let validUntil, let replace):
            .setCode(slot: slot, name: name, hash: hash(code.reveal()), validUntil: validUntil, replace: replace)
        case .clearCode(let slot): .clearCode(slot: slot)
        case .enableCode(let slot): .enableCode(slot: slot)
        case .disableCode(let slot): .disableCode(slot: slot)
        case .enrollFob(let name, let slot): .enrollFob(name: name, slot: slot)
        case .revokeFob(let slot): .revokeFob(slot: slot)
        case .addPhone(let id, let name): .addPhone(id: id, name: name)
        case .revokePhone(let id): .revokePhone(id: id)
        case .setOverrideCode(let code): .setOverrideCode(hash(code.reveal()))
        case .setMode(let mode): .setMode(mode)
        case .setConfig(let patch): .setConfig(patch)
        case .restart: .restart
        case .factoryReset: .factoryReset
        case .refresh: .refresh
        case .ackFault: nil
        }
    }
}

/// A parsed, validated command.
public struct CommandRequest: Sendable, Equatable {
    public var requestID: String?
    public var issuedAt: Date?
    /// The code that authorises a remote operation: `code` on most commands, `auth_code` on
    /// `set_code` and `set_override_code` (whose `code` is the new code).
    public var code: PlainCode?
    public var action: PublicAction
    /// Came as Home Assistant's plain `LOCK`, `UNLOCK` or `OPEN`.
    public var isPlain: Bool
}

/// A command refused before it reached the lock; the error never carries a code.
public struct CommandRejection: Error, Sendable, Equatable {
    public var requestID: String?
    public var command: String?
    public var error: LockError
}
