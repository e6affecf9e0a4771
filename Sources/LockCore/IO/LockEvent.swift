public import Foundation

/// A fault raised or cleared.
public struct FaultEvent: Sendable, Codable, Equatable {
    /// `true` for `fault_raised`, `false` for `fault_cleared`.
    public var raised: Bool
    /// The fault.
    public var fault: FaultCode
    /// Its severity.
    public var severity: FaultSeverity { fault.severity }
    /// Extra facts (e.g. `seconds` for `door_ajar`), all numbers (spec 3.3); never a secret.
    public var detail: [String: Int]

    /// The spec's `event_type`.
    public var eventType: String { raised ? "fault_raised" : "fault_cleared" }

    public init(raised: Bool, fault: FaultCode, detail: [String: Int] = [:]) {
        (self.raised, self.fault, self.detail) = (raised, fault, detail)
    }

    private enum CodingKeys: String, CodingKey { case raised, fault, detail }

    /// Also reads the text numbers that emulator state saved before detail became numeric, so a
    /// held event survives the upgrade.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        (raised, fault) = (try c.decode(Bool.self, forKey: .raised), try c.decode(FaultCode.self, forKey: .fault))
        if let numbers = try? c.decode([String: Int].self, forKey: .detail) {
            detail = numbers
        } else {
            detail = try c.decode([String: String].self, forKey: .detail).compactMapValues(Int.init)
        }
    }
}

/// Credential event types (spec 3, `event/credential`).
public enum CredentialEventType: String, Sendable, Codable, CaseIterable {
    case codeSet = "code_set"
    case codeCleared = "code_cleared"
    case codeEnabled = "code_enabled"
    case codeDisabled = "code_disabled"
    case enrolmentStarted = "enrolment_started"
    case fobEnrolled = "fob_enrolled"
    case fobRevoked = "fob_revoked"
    case phoneAdded = "phone_added"
    case phoneRevoked = "phone_revoked"
    case overrideSet = "override_set"
    /// A `one_time` code was used (spec 7.1).
    case codeUsedUp = "code_used_up"
}

/// A credential changed. Carries metadata only.
public struct CredentialEvent: Sendable, Codable, Equatable {
    /// What changed.
    public var eventType: CredentialEventType
    /// PIN or fob slot.
    public var slot: Int?
    /// Phone id.
    public var id: String?
    /// Holder's name.
    public var name: String?
    /// The command's id.
    public var requestID: String?
    /// The access plan that made the change (spec 7.2), if one did.
    public var plan: String? = nil
}

/// System event types (spec 3, `event/system`).
public enum SystemEventType: String, Sendable, Codable, CaseIterable {
    case restarted
    case factoryReset = "factory_reset"
    case modeChanged = "mode_changed"
    case configChanged = "config_changed"
    case backupPowerConnected = "backup_power_connected"
    case backupPowerRemoved = "backup_power_removed"
    case batteryReplaced = "battery_replaced"
}

/// Something happened to the lock as a whole.
public struct SystemEvent: Sendable, Codable, Equatable {
    /// What happened.
    public var eventType: SystemEventType
    /// Extra words (new mode, changed settings, why it restarted).
    public var detail: String?
}

/// The kinds of event.
public enum LockEventBody: Sendable, Codable, Equatable {
    case access(AccessEvent)
    case fault(FaultEvent)
    case credential(CredentialEvent)
    case system(SystemEvent)
    /// A silent alarm (spec 7.1: the duress alert), published on `alert/<kind>` only.
    case alert(AlertEvent)
}

/// Silent alarms.
public enum AlertKind: String, Sendable, Codable, CaseIterable {
    case duress
}

/// A silent alarm: which, and the slot of the code that raised it.
public struct AlertEvent: Sendable, Codable, Equatable {
    public var kind: AlertKind
    public var slot: Int
    /// Set on the acknowledgement of an alert (`ack_fault` with `fault: duress`).
    public var acknowledged: Bool?

    public init(kind: AlertKind, slot: Int, acknowledged: Bool? = nil) { (self.kind, self.slot, self.acknowledged) = (kind, slot, acknowledged) }
}

/// One event, stamped with the lock's sequence number, epoch and time.
public struct LockEvent: Sendable, Codable, Equatable {
    /// Strictly increasing within an epoch, starting at 1.
    public var seq: UInt64
    /// Starts at 1; a factory reset starts the next one.
    public var epoch: Int
    /// When it happened (the `now` of the input).
    public var at: Date
    /// What happened.
    public var body: LockEventBody

    public init(seq: UInt64, epoch: Int, at: Date, body: LockEventBody) {
        (self.seq, self.epoch, self.at, self.body) = (seq, epoch, at, body)
    }
}

/// The answer to one command.
public struct CommandResult: Sendable, Codable, Equatable {
    /// The command's id.
    public var requestID: String
    /// The command's spec name (`unlock`, `set_code`, …).
    public var command: String
    /// `nil` when the command succeeded.
    public var error: LockError?

    /// Whether it succeeded.
    public var isOK: Bool { error == nil }

    public init(requestID: String, command: String, error: LockError?) {
        self.requestID = requestID
        self.command = command
        self.error = error
    }
}

/// What the lock does in answer to an input: events to publish and command results.
public enum LockOutput: Sendable, Codable, Equatable {
    case event(LockEvent)
    case result(CommandResult)
}
