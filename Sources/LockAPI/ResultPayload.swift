public import Foundation
import JSON
public import LockCore

/// The payload on `<base>/<lock id>/result`: one for every command received on `set`.
///
/// Keys come in the spec's order, so payloads are byte-for-byte stable:
/// `{"request_id":"abc-1","command":"unlock","status":"ok","error":null,"at":"…"}`.
public enum ResultPayload {
    /// The result payload.
    /// - Parameters:
    ///   - requestID: the command's id; `nil` only for a payload that could not be read.
    ///   - command: the command's spec name; `nil` when the payload named none that is known.
    ///   - error: why it failed; `nil` for `"status":"ok"`.
    ///   - duplicate: adds `"duplicate":true` when republishing the result of a repeated `request_id`.
    public static func bytes(
        requestID: String?, command: String?, error: LockError?, at: Date, duplicate: Bool = false
    ) -> [UInt8] {
        var o: JSONObject = [
            "request_id": requestID.map(JSONValue.string) ?? .null,
            "command": command.map(JSONValue.string) ?? .null,
            "status": .string(error == nil ? "ok" : "error"),
            "error": error.map { .object(ErrorPayload.object($0)) } ?? .null,
            "at": .string(RFC3339.format(at)),
        ]
        if duplicate { o["duplicate"] = true }
        do {
            return try o.serializedBytes()
        } catch {
            // Serialization fails only for NaN or a key holding U+0000; this object has neither.
            preconditionFailure("a result payload cannot fail to serialize: \(error)")
        }
    }

    /// The result for a payload ``CommandParser`` refused. A payload that could not be parsed
    /// answers with `request_id: null` (spec section 4); any other rejection without a valid
    /// `request_id` of its own echoes `assignedRequestID`, the one the bridge assigned.
    public static func bytes(for rejection: CommandRejection, assignedRequestID: String, at: Date) -> [UInt8] {
        let requestID = rejection.requestID ?? (rejection.error.code == .invalidJSON ? nil : assignedRequestID)
        return bytes(requestID: requestID, command: rejection.command, error: rejection.error, at: at)
    }
}
