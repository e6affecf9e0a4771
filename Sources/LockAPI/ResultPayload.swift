public import Foundation
import JSON
public import LockCore

/// The `result` payload (spec section 4): one for every command.
public enum ResultPayload {
    public static func bytes(requestID: String?, command: String?, error: LockError?, at: Date, duplicate: Bool = false) -> [UInt8] {
        var o: JSONObject = [
            "request_id": requestID.map { .string($0) } ?? .null,
            "command": command.map { .string($0) } ?? .null,
            "status": .string(error == nil ? "ok" : "error"),
            "error": error.map { .object(ErrorPayload.object($0)) } ?? .null,
            "at": .string(RFC3339.format(at)),
        ]
        if duplicate { o["duplicate"] = true }
        return (try? o.serializedBytes()) ?? Array(#"{"status":"error"}"#.utf8)
    }
}
