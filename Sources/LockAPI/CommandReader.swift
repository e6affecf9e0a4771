import Foundation
import JSON
import LockCore

/// Reads one parsed JSON command: the envelope here, the fields in `CommandReader+Fields.swift`
/// and each command's own fields in `CommandReader+Actions.swift`.
///
/// Every failure is the `LockError` the result will carry. Messages name fields and rules,
/// never a value, because a value may be a code.
struct CommandReader {
    let object: JSONObject
    let now: Date
    let maxAge: TimeInterval
    let minCodeLength: Int

    /// Checks in the order a client would want to hear about them: a republished result first,
    /// then the envelope, then the command's own fields.
    func request() throws(LockError) -> CommandRequest {
        if object["status"] != nil {
            throw LockError(.invalidCommand, "a payload with a \"status\" key is a result, not a command")
        }
        let requestID = try requestID()
        let kind = try kind()
        let issuedAt = try issuedAt()
        try rejectUnknownKeys(for: kind)
        let code = try remoteCode(kind.authKey)
        let action = try action(kind)
        return CommandRequest(requestID: requestID, issuedAt: issuedAt, code: code, action: action)
    }

    /// The `request_id` to echo in a rejection: only a valid one, else the bridge assigns one.
    var echoedRequestID: String? {
        object["request_id"]?.stringValue.flatMap { Self.isValidRequestID($0) ? $0 : nil }
    }

    /// The command name to echo in a rejection: only a known one, never arbitrary client text.
    var echoedCommand: String? {
        object["command"]?.stringValue.flatMap(CommandKind.init(rawValue:))?.rawValue
    }

    private func requestID() throws(LockError) -> String? {
        let what = "1 to 128 printable ASCII characters"
        guard let id = try value("request_id", what, { o throws(JSONError) in try o.optionalString("request_id") }) else { return nil }
        guard Self.isValidRequestID(id) else { throw .badField("request_id", "request_id must be \(what)") }
        return id
    }

    static func isValidRequestID(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }

    private func kind() throws(LockError) -> CommandKind {
        guard let value = object["command"], !value.isNull else {
            throw LockError(.invalidCommand, "the \"command\" field is missing")
        }
        guard let name = value.stringValue, let kind = CommandKind(rawValue: name) else {
            throw LockError(.invalidCommand, "unknown command; see the list of commands in the MQTT API")
        }
        return kind
    }

    private func issuedAt() throws(LockError) -> Date? {
        guard let issued = try date("issued_at") else { return nil }
        if now.timeIntervalSince(issued) > maxAge {
            throw LockError(.expired, "issued_at is older than the maximum age of \(Self.seconds(maxAge))")
        }
        if issued.timeIntervalSince(now) > CommandParser.futureTolerance {
            throw .badField(
                "issued_at",
                "issued_at is more than \(Self.seconds(CommandParser.futureTolerance)) in the future; check the sender's clock")
        }
        return issued
    }

    private func rejectUnknownKeys(for kind: CommandKind) throws(LockError) {
        let allowed = kind.allowedKeys
        guard let unknown = object.keys.first(where: { !allowed.contains($0) }) else { return }
        // A key is client text too: one holding digits might be a code typed in the wrong place,
        // so such a name is withheld rather than echoed.
        let echoable = (1...64).contains(unknown.utf8.count)
            && unknown.utf8.allSatisfy { (0x21...0x7E).contains($0) && !(0x30...0x39).contains($0) && $0 != 0x22 }
        if echoable {
            throw .badField(unknown, "unknown field \"\(unknown)\" for \(kind.rawValue)")
        }
        throw LockError(
            .invalidField, "unknown field for \(kind.rawValue) (its name is withheld because it contains digits or unusual characters)")
    }

    /// `30 s`, or `2.5 s` when fractional.
    static func seconds(_ interval: TimeInterval) -> String {
        interval == interval.rounded() && abs(interval) < 1e15 ? "\(Int(interval)) s" : "\(interval) s"
    }
}

extension LockError {
    /// `invalid_field` naming `field`.
    static func badField(_ field: String, _ message: String) -> LockError {
        LockError(.invalidField, message, field: field)
    }
}
