/// The spec's stable error codes on `result` (section 4). The bridge adds the wire-only ones.
public enum LockErrorCode: String, Sendable, Codable, CaseIterable {
    case invalidJSON = "invalid_json"
    case invalidCommand = "invalid_command"
    case invalidField = "invalid_field"
    case codeRequired = "code_required"
    case wrongCode = "wrong_code"
    case lockoutActive = "lockout_active"
    case lockOffline = "lock_offline"
    case timeout, busy
    case insufficientBattery = "insufficient_battery"
    case jammed
    case modeForbids = "mode_forbids"
    case doorOpen = "door_open"
    case notFound = "not_found"
    case slotOccupied = "slot_occupied"
    case weakCode = "weak_code"
    case expired
    case retainedRejected = "retained_rejected"
    /// Device link only: the command came from an older owner than the one the lock holds (spec 8).
    case staleOwner = "stale_owner"
}

/// A refused command: a stable code, a message a person can act on, and the field or PIN rule
/// when there is one. Never carries a code.
public struct LockError: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    /// The stable code.
    public var code: LockErrorCode
    /// What went wrong.
    public var message: String
    /// The offending field, for `invalid_field`.
    public var field: String?
    /// The broken rule, for `weak_code`.
    public var rule: PINRule?

    /// Creates an error.
    public init(_ code: LockErrorCode, _ message: String, field: String? = nil, rule: PINRule? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.rule = rule
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    static func invalidField(_ field: String, _ message: String) -> LockError {
        LockError(.invalidField, message, field: field)
    }

    static func weak(_ rule: PINRule) -> LockError { LockError(.weakCode, rule.message, rule: rule) }

    static let busy = LockError(.busy, "a fob enrolment is in progress")
    static let timeout = LockError(.timeout, "no fob was tapped within the enrolment window")
    static let codeRequired = LockError(.codeRequired, "this lock requires a code for remote operation")
    static let wrongCode = LockError(.wrongCode, "the code is not valid")
    static let lockoutActive = LockError(.lockoutActive, "too many wrong codes; try again later")
    static let insufficientBattery = LockError(.insufficientBattery, "the battery is too low to move the bolt")
    static let jammed = LockError(.jammed, "the bolt is jammed")
    static let doorOpen = LockError(.doorOpen, "the door is open")

    static func modeForbids(_ mode: LockMode) -> LockError {
        LockError(.modeForbids, "not allowed in \(mode.rawValue) mode")
    }

    static func notFound(_ what: String) -> LockError { LockError(.notFound, "\(what) not found") }
}
