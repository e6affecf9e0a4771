/// The commands of spec section 4 by their wire names, with the fields each may carry.
enum CommandKind: String, CaseIterable {
    case lock, unlock, open
    case setCode = "set_code"
    case clearCode = "clear_code"
    case enableCode = "enable_code"
    case disableCode = "disable_code"
    case enrollFob = "enroll_fob"
    case revokeFob = "revoke_fob"
    case addPhone = "add_phone"
    case revokePhone = "revoke_phone"
    case setOverrideCode = "set_override_code"
    case setMode = "set_mode"
    case setConfig = "set_config"
    case restart
    case factoryReset = "factory_reset"
    case refresh
    case ackFault = "ack_fault"

    /// The keys every JSON command may carry.
    static let envelopeKeys: Set<String> = ["command", "request_id", "issued_at"]

    /// The `set_config` keys the spec names, in the order they are checked.
    static let configKeys = ["auto_relock_s", "wrong_code_limit", "lockout_s", "require_code_for_remote", "timezone"]

    /// Where the remote-operation code travels. `set_code` and `set_override_code` use `code` for
    /// the new code, so their remote-operation code goes in `auth_code`.
    var authKey: String {
        switch self {
        case .setCode, .setOverrideCode, .ackFault: "auth_code"
        default: "code"
        }
    }

    /// The keys this command's payload may carry; anything else is refused so typos surface.
    var allowedKeys: Set<String> {
        Self.envelopeKeys.union([authKey]).union(ownKeys)
    }

    /// Who may come in when (spec 7.1), on `set_code`, `enroll_fob` and `add_phone`.
    static let ruleKeys = ["type", "schedule", "valid_from"]

    private var ownKeys: [String] {
        switch self {
        case .lock, .unlock, .open, .restart, .refresh: []
        case .setCode: ["slot", "name", "code", "valid_until", "replace"] + Self.ruleKeys
        case .clearCode, .enableCode, .disableCode, .revokeFob: ["slot"]
        case .enrollFob: ["name", "slot", "valid_until"] + Self.ruleKeys
        case .addPhone: ["id", "name", "valid_until"] + Self.ruleKeys
        case .revokePhone: ["id"]
        case .setOverrideCode: ["code"]
        case .setMode: ["mode"]
        case .setConfig: Self.configKeys
        case .factoryReset: ["confirm"]
        case .ackFault: ["fault"]
        }
    }
}
