import Foundation
import LockCore

// Each command's own fields, read in the order the spec's table lists them.

extension CommandReader {
    func action(_ kind: CommandKind) throws(LockError) -> PublicAction {
        switch kind {
        case .lock: return .lock
        case .unlock: return .unlock
        case .open: return .open
        case .restart: return .restart
        case .refresh: return .refresh
        case .setCode: return try setCode()
        case .clearCode: return .clearCode(slot: try requiredSlot())
        case .enableCode: return .enableCode(slot: try requiredSlot())
        case .disableCode: return .disableCode(slot: try requiredSlot())
        case .revokeFob: return .revokeFob(slot: try requiredSlot())
        case .enrollFob: return .enrollFob(name: try name(), slot: try slot())
        case .addPhone: return .addPhone(id: try phoneID(), name: try name())
        case .revokePhone: return .revokePhone(id: try phoneID())
        case .setOverrideCode: return .setOverrideCode(code: try newCode(.overrideCode))
        case .setMode: return .setMode(try mode())
        case .setConfig: return .setConfig(try configPatch())
        case .factoryReset:
            let what = "the lock id, to confirm the reset"
            return .factoryReset(confirm: try required("confirm", what, string("confirm", what)))
        case .ackFault: return .ackFault(try acknowledgeableFault())
        }
    }

    private func setCode() throws(LockError) -> PublicAction {
        let slot = try requiredSlot()
        let name = try name()
        let code = try newCode(PINPolicy(minimumLength: minCodeLength))
        let validUntil = try date("valid_until")
        // A code that expires before it is set is a mistake the user should hear about now.
        if let validUntil, validUntil <= now {
            throw .badField("valid_until", "valid_until is in the past")
        }
        let replace = try bool("replace") ?? false
        return .setCode(slot: slot, name: name, code: code, validUntil: validUntil, replace: replace)
    }

    private func mode() throws(LockError) -> LockMode {
        let what = "one of " + LockMode.allCases.map(\.rawValue).joined(separator: ", ")
        let text = try required("mode", what, string("mode", what))
        guard let mode = LockMode(rawValue: text) else { throw .badField("mode", "mode must be \(what)") }
        return mode
    }

    private func configPatch() throws(LockError) -> LockConfigPatch {
        let patch = LockConfigPatch(
            autoRelockSeconds: try int("auto_relock_s", in: LockConfig.autoRelockRange),
            wrongCodeLimit: try int("wrong_code_limit", in: LockConfig.wrongCodeLimitRange),
            lockoutSeconds: try int("lockout_s", in: LockConfig.lockoutRange),
            requireCodeForRemote: try bool("require_code_for_remote"))
        guard patch != LockConfigPatch() else {
            // No single field is at fault, so `field` stays empty.
            throw LockError(
                .invalidField,
                "set_config needs at least one of " + CommandKind.configKeys.joined(separator: ", "))
        }
        return patch
    }

    private func acknowledgeableFault() throws(LockError) -> FaultCode {
        let what = "a fault code"
        let text = try required("fault", what, string("fault", what))
        guard let fault = FaultCode(rawValue: text) else { throw .badField("fault", "fault must be \(what)") }
        guard fault == .overrideUsed else {
            throw .badField("fault", "only override_used can be acknowledged; other faults clear themselves")
        }
        return fault
    }
}
