public import JSON
public import LockCore

/// The lock's one answer to a command, on `lockdev/<id>/ack`.
public enum DeviceAck {
    public static func payload(_ result: CommandResult) throws(JSONError) -> [UInt8] {
        var o: JSONObject = [
            "v": .int(Int64(DeviceTopics.version)), "request_id": .string(result.requestID),
            "command": .string(result.command), "status": .string(result.isOK ? "ok" : "error"),
        ]
        if let error = result.error { o["error"] = .object(ErrorPayload.object(error)) }
        return try o.serializedBytes()
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
