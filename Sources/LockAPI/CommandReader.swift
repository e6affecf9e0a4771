import Foundation
import JSON
import LockCore

/// Reads one JSON command field by field; every error names the field, never a code's value.
struct CommandReader {
    let object: JSONObject
    let requestID: String?
    var command: String?
    /// Fields that belong to the command; anything else is refused, so a typo is not ignored.
    var allowedFields: Set<String> = ["command", "request_id", "issued_at"]

    init(object: JSONObject, requestID: String?) {
        self.object = object
        self.requestID = requestID
    }

    mutating func read(now: Date, maxAge: TimeInterval, minCodeLength: Int) throws(CommandRejection) -> CommandRequest {
        // A result republished onto a set topic must never act as a command.
        if object["status"] != nil { throw reject(.invalidCommand, "a payload with a \"status\" key is a result, not a command") }
        guard let name = object["command"]?.stringValue else {
            throw reject(.invalidCommand, "\"command\" is missing or not a string")
        }
        command = name
        let issuedAt = try readIssuedAt(now: now, maxAge: maxAge)
        let (action, authField) = try readAction(name, minCodeLength: minCodeLength)
        let code = try readCode(authField, policy: nil)
        for key in object.keys where !allowedFields.contains(key) {
            throw reject(.invalidField, "\"\(key)\" is not a field of \(name)", field: key)
        }
        return CommandRequest(requestID: requestID, issuedAt: issuedAt, code: code, action: action, isPlain: false)
    }

    private mutating func readIssuedAt(now: Date, maxAge: TimeInterval) throws(CommandRejection) -> Date? {
        guard let raw = object["issued_at"], !raw.isNull else { return nil }
        guard let text = raw.stringValue, let date = RFC3339.parse(text) else {
            throw reject(.invalidField, "issued_at must be an RFC 3339 time", field: "issued_at")
        }
        if date.timeIntervalSince(now) > 5 { throw reject(.invalidField, "issued_at is in the future", field: "issued_at") }
        if now.timeIntervalSince(date) > maxAge {
            throw reject(.expired, "issued \(Int(now.timeIntervalSince(date))) s ago; commands older than \(Int(maxAge)) s are refused")
        }
        return date
    }

    /// The action, and the name of the field that carries the remote-operation code.
    private mutating func readAction(_ name: String, minCodeLength: Int) throws(CommandRejection) -> (PublicAction, String) {
        switch name {
        case "lock": return (.lock, "code")
        case "unlock": return (.unlock, "code")
        case "open": return (.open, "code")
        case "set_code":
            let code = try readCode("code", policy: PINPolicy(minimumLength: minCodeLength))
            guard let code else { throw reject(.invalidField, "set_code needs the new \"code\"", field: "code") }
            return (.setCode(
                slot: try slot(), name: try label("name"), code: code, validUntil: try time("valid_until"),
                replace: try flag("replace") ?? false), "auth_code")
        case "clear_code": return (.clearCode(slot: try slot()), "code")
        case "enable_code": return (.enableCode(slot: try slot()), "code")
        case "disable_code": return (.disableCode(slot: try slot()), "code")
        case "enroll_fob": return (.enrollFob(name: try label("name"), slot: try slot(required: false)), "code")
        case "revoke_fob": return (.revokeFob(slot: try slot()), "code")
        case "add_phone": return (.addPhone(id: try phoneID(), name: try label("name")), "code")
        case "revoke_phone": return (.revokePhone(id: try phoneID()), "code")
        case "set_override_code":
            guard let code = try readCode("code", policy: .overrideCode) else {
                throw reject(.invalidField, "set_override_code needs the new \"code\"", field: "code")
            }
            return (.setOverrideCode(code: code), "auth_code")
        case "set_mode":
            let text = try string("mode")
            guard let mode = LockMode(rawValue: text) else {
                throw reject(.invalidField, "mode must be one of \(LockMode.allCases.map(\.rawValue).joined(separator: ", "))", field: "mode")
            }
            return (.setMode(mode), "code")
        case "set_config": return (.setConfig(try config()), "code")
        case "restart": return (.restart, "code")
        case "refresh": return (.refresh, "code")
        case "factory_reset":
            return (.factoryReset(confirm: try string("confirm")), "code")
        case "ack_fault":
            let text = try string("fault")
            guard text == FaultCode.overrideUsed.rawValue else {
                throw reject(.invalidField, "only override_used can be acknowledged", field: "fault")
            }
            return (.ackFault(.overrideUsed), "code")
        default:
            throw reject(.invalidCommand, "unknown command; see the spec's section 4")
        }
    }

    func reject(_ code: LockErrorCode, _ message: String, field: String? = nil) -> CommandRejection {
        CommandRejection(requestID: requestID, command: command, error: LockError(code, message, field: field))
    }
}
