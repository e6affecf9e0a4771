public import Foundation

/// Lock or unlock, as a key, button or phone asks for it.
public enum BoltCommand: String, Sendable, Codable, CaseIterable {
    case lock, unlock
}

/// The door sensor readings the simulation can set.
public enum DoorInput: String, Sendable, Codable, CaseIterable {
    case open, closed
    case forcedOpen = "forced_open"
}

/// Simulated firmware and mechanical faults.
public enum GlitchKind: String, Sendable, Codable, CaseIterable {
    /// The firmware crashes and reboots.
    case crash
    /// The firmware stops answering anything but `restart`.
    case hang
    /// The bolt jams on its next motor move.
    case jam
}

/// A command of spec section 4 as it reaches the lock (codes already hashed by the bridge).
public enum LockCommand: Sendable, Equatable {
    case lock, unlock, open
    /// `plan` is set only by the bridge's access plans (spec 7.2): the slot is then the plan's.
    case setCode(slot: Int, name: String, hash: CodeHash, validUntil: Date? = nil, replace: Bool = false, rules: AccessRules? = nil, plan: String? = nil)
    /// `plan`, from an access plan only: the lock refuses to clear another plan's slot.
    case clearCode(slot: Int, plan: String? = nil)
    case enableCode(slot: Int)
    case disableCode(slot: Int)
    case enrollFob(name: String, slot: Int? = nil, rules: AccessRules? = nil, validUntil: Date? = nil)
    case revokeFob(slot: Int)
    case addPhone(id: String, name: String, rules: AccessRules? = nil, validUntil: Date? = nil)
    case revokePhone(id: String)
    case setOverrideCode(CodeHash)
    case setMode(LockMode)
    case setConfig(LockConfigPatch)
    case restart, factoryReset, refresh
    /// The bridge's signed liveness probe (spec 3.1): the lock only acknowledges it; a hung
    /// firmware does not.
    case ping
    /// A new owner's first word (spec 8): acknowledged like `ping`; its `owner_epoch` is the point.
    case claim
    /// The bridge tells a lock that lost its clock what time it is (spec 7.1).
    case setClock(at: Date)
    /// Acknowledges the duress alert; always needs an unrestricted code or the override code.
    case ackDuress

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
        case .ping: "ping"
        case .claim: "claim"
        case .setClock: "set_clock"
        case .ackDuress: "ack_fault"
        }
    }

    /// The bolt move of `lock`, `unlock` and `open`.
    var boltMove: BoltMove? {
        switch self {
        case .lock: .lock
        case .unlock: .unlock
        case .open: .open
        default: nil
        }
    }

    /// Whether the command changes who gets in, and so needs the code when the lock requires
    /// one for remote operation (spec section 4: `lock`, `disable_code`, revocations, `restart`
    /// and `refresh` never do).
    public var needsRemoteCode: Bool {
        switch self {
        case .unlock, .open, .setCode, .clearCode, .enableCode, .setOverrideCode, .enrollFob, .addPhone,
            .setMode, .setConfig, .factoryReset, .ackDuress:
            true
        case .lock, .disableCode, .revokeFob, .revokePhone, .restart, .refresh, .ping, .claim, .setClock:
            false
        }
    }
}

/// Everything that can happen to a lock: the physical world (spec section 6), commands
/// (spec section 4) and the passing of time.
public enum LockInput: Sendable, Equatable {
    /// Someone types a code on the keypad (a PIN or the override code).
    case keypad(PlainCode)
    /// The mechanical key is turned.
    case key(BoltCommand)
    /// The hidden override keyhole is used (unlocks).
    case overrideKey
    /// A fob is tapped.
    case fob(id: String)
    /// A phone app asks over Bluetooth.
    case phone(id: String, command: BoltCommand)
    /// The inside button or thumb-turn.
    case button(BoltCommand)
    /// The door sensor changes.
    case door(DoorInput)
    /// The battery level is set.
    case setBattery(percent: Double)
    /// Fresh batteries.
    case replaceBattery
    /// A jump-start is held to, or taken from, the contacts.
    case backupPower(connected: Bool)
    /// The Wi-Fi link goes up or down.
    case wifi(up: Bool)
    /// The Bluetooth radio goes up or down.
    case ble(up: Bool)
    /// A simulated fault.
    case glitch(GlitchKind)
    /// The cover is removed.
    case tamper
    /// A command from the bridge; `code` is the hashed code when one was given.
    case command(LockCommand, code: CodeHash? = nil, requestID: String)
    /// Time passes (timers, drain, lockout end).
    case tick
}
