/// What an access event reports happened (spec 3.2 `event_type`).
public enum AccessEventType: String, Sendable, Codable, CaseIterable {
    case lock, unlock, open
    case lockFailed = "lock_failed"
    case unlockFailed = "unlock_failed"
    case openFailed = "open_failed"
}

/// How the bolt was worked (spec 3.2 `method`).
public enum AccessMethod: String, Sendable, Codable, CaseIterable {
    case mechanicalKey = "mechanical_key"
    case keypad
    case blePhone = "ble_phone"
    case fob
    case overrideKey = "override_key"
    case overrideCode = "override_code"
    case remote, auto, button
}

/// Kind of credential presented (spec 3.2 `credential.type`).
public enum CredentialType: String, Sendable, Codable, CaseIterable {
    case pin, fob, phone, key, override
}

/// Why an access attempt failed (spec 3.2 `reason`).
public enum AccessFailureReason: String, Sendable, Codable, CaseIterable {
    case wrongCode = "wrong_code"
    case unknownFob = "unknown_fob"
    case unknownPhone = "unknown_phone"
    case disabled, expired, lockout
    /// Outside the credential's week-day or year-day window (spec 7.1); not a wrong code.
    case outsideSchedule = "outside_schedule"
    case insufficientBattery = "insufficient_battery"
    case jammed
    case modeForbids = "mode_forbids"
    case doorOpen = "door_open"
}

/// Which credential was used: metadata only, never a secret.
public struct CredentialRef: Sendable, Codable, Equatable {
    /// Kind of credential.
    public var type: CredentialType
    /// PIN or fob slot.
    public var slot: Int?
    /// The holder's name.
    public var name: String?
    /// Phone id.
    public var id: String?
    /// Set for a `one_time` code (spec 7.1).
    public var oneTime: Bool?

    /// Creates a reference.
    public init(type: CredentialType, slot: Int? = nil, name: String? = nil, id: String? = nil) {
        self.type = type
        self.slot = slot
        self.name = name
        self.id = id
    }
}

/// A lock, unlock or open, or a failed attempt at one.
public struct AccessEvent: Sendable, Codable, Equatable {
    /// What happened.
    public var eventType: AccessEventType
    /// How.
    public var method: AccessMethod
    /// With which credential; `nil` for remote, auto and button.
    public var credential: CredentialRef?
    /// Why it failed, on failures.
    public var reason: AccessFailureReason?
    /// The command's id, when a command caused it.
    public var requestID: String?

    /// Creates an access event.
    public init(
        eventType: AccessEventType, method: AccessMethod, credential: CredentialRef? = nil,
        reason: AccessFailureReason? = nil, requestID: String? = nil
    ) {
        self.eventType = eventType
        self.method = method
        self.credential = credential
        self.reason = reason
        self.requestID = requestID
    }

    /// Whether this event granted access (a lock, unlock or open that happened).
    public var succeeded: Bool { reason == nil }
}
