public import Foundation
public import LockCore

/// What a command on `<base>/<lock id>/set` asks for (spec section 4), with codes still in the
/// clear: the bridge hashes them with the lock's salt before they reach the device link.
public enum PublicAction: Sendable, Equatable {
    case lock, unlock, open
    /// `set_code`; `code` is the new keypad code, already checked against the PIN policy. (The
    /// remote-operation code, from the payload's `auth_code`, is ``CommandRequest/code``.)
    case setCode(slot: Int, name: String, code: SecretCode, validUntil: Date?, replace: Bool, rules: AccessRules? = nil)
    case clearCode(slot: Int)
    case enableCode(slot: Int)
    case disableCode(slot: Int)
    /// `enroll_fob`; without a slot the lock picks a free one.
    case enrollFob(name: String, slot: Int?, rules: AccessRules? = nil, validUntil: Date? = nil)
    case revokeFob(slot: Int)
    case addPhone(id: String, name: String, rules: AccessRules? = nil, validUntil: Date? = nil)
    case revokePhone(id: String)
    /// `set_override_code`; `code` is the new override code, already checked against the policy.
    case setOverrideCode(code: SecretCode)
    case setMode(LockMode)
    case setConfig(LockConfigPatch)
    case restart
    /// `factory_reset`; the bridge must check that `confirm` equals the lock id.
    case factoryReset(confirm: String)
    case refresh
    /// `ack_fault`; the bridge handles it itself, as faults live in the bridge.
    case ackFault(FaultCode)
    /// `ack_fault` with `fault: duress`: the lock checks the `auth_code` (spec 7.1).
    case ackDuress

    /// The spec's command name, as `result` echoes it.
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
        case .ackFault, .ackDuress: "ack_fault"
        }
    }

    /// The command for the lock, with every new code turned into its hash by `hash`;
    /// `nil` for `ack_fault`, which never reaches the lock.
    public func lockCommand(hash: (String) -> CodeHash) -> LockCommand? {
        switch self {
        case .lock: .lock
        case .unlock: .unlock
        case .open: .open
        case .setCode(let slot, let name, let code, let validUntil, let replace, let rules):
            .setCode(slot: slot, name: name, hash: hash(code.reveal()), validUntil: validUntil, replace: replace, rules: rules)
        case .clearCode(let slot): .clearCode(slot: slot, plan: nil)
        case .enableCode(let slot): .enableCode(slot: slot)
        case .disableCode(let slot): .disableCode(slot: slot)
        case .enrollFob(let name, let slot, let rules, let validUntil): .enrollFob(name: name, slot: slot, rules: rules, validUntil: validUntil)
        case .revokeFob(let slot): .revokeFob(slot: slot)
        case .addPhone(let id, let name, let rules, let validUntil): .addPhone(id: id, name: name, rules: rules, validUntil: validUntil)
        case .revokePhone(let id): .revokePhone(id: id)
        case .setOverrideCode(let code): .setOverrideCode(hash(code.reveal()))
        case .setMode(let mode): .setMode(mode)
        case .setConfig(let patch): .setConfig(patch)
        case .restart: .restart
        // The confirmation is the bridge's check; the lock only needs to know it passed.
        case .factoryReset: .factoryReset
        case .refresh: .refresh
        case .ackFault: nil
        case .ackDuress: .ackDuress
        }
    }
}
