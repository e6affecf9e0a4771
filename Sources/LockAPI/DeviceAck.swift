public import JSON
public import LockCore

/// The lock's one answer to a command, on `lockdev/<id>/ack`: a ``CommandResult`` on the wire.
public enum DeviceAck {
    /// - Parameter ownerEpoch: with a `stale_owner` error, the epoch the lock holds (spec 8).
    public static func payload(_ result: CommandResult, ownerEpoch: UInt64? = nil) throws(JSONError) -> [UInt8] {
        var o: JSONObject = [
            "v": .int(Int64(DeviceTopics.version)), "request_id": .string(result.requestID),
            "command": .string(result.command), "status": .string(result.isOK ? "ok" : "error"),
        ]
        if let error = result.error { o["error"] = .object(ErrorPayload.object(error)) }
        if let ownerEpoch { o["owner_epoch"] = .int(Int64(ownerEpoch)) }
        return try o.serializedBytes()
    }

    /// The epoch a `stale_owner` ack says the lock holds.
    public static func heldEpoch(_ payload: [UInt8]) -> UInt64? {
        (try? JSON.parseObject(payload))?["owner_epoch"]?.intValue.flatMap { $0 >= 0 ? UInt64($0) : nil }
    }

    /// Reads an ack; an error the lock names with an unknown code becomes `invalid_command`.
    public static func parse(_ payload: [UInt8]) throws(JSONError) -> CommandResult {
        let o = try JSON.parseObject(payload)
        guard try o.int("v") == DeviceTopics.version else {
            throw JSONError(.outOfRange, field: "v", detail: "device link version \(DeviceTopics.version) expected")
        }
        var error: LockError?
        if try o.string("status") != "ok" {
            let problem = try o.optionalObject("error") ?? [:]
            let code = try problem.optionalString("code").flatMap(LockErrorCode.init(rawValue:)) ?? .invalidCommand
            error = LockError(code, try problem.optionalString("message") ?? code.rawValue, field: try problem.optionalString("field"))
        }
        return CommandResult(requestID: try o.string("request_id"), command: try o.string("command"), error: error)
    }
}

/// `{"code":…, "message":…, "field"?}` for an error on the wire.
public enum ErrorPayload {
    public static func object(_ error: LockError) -> JSONObject {
        var o: JSONObject = ["code": .string(error.code.rawValue), "message": .string(error.message)]
        if let field = error.field { o["field"] = .string(field) }
        return o
    }
}
