public import JSON
import LockCore

// The other direction of `CommandParser`: a typed command as the JSON a client sends on
// `<base>/<lock id>/set`. `CommandParser.parse(request.payload())` gives the request back.

extension CommandRequest {
    /// The command as a JSON object, keys as in the spec's command table.
    ///
    /// It holds codes in the clear where the command carries them (`code`, `auth_code`): it is
    /// the wire payload, for publishing only, never for logs.
    public var object: JSONObject {
        var o: JSONObject = ["command": .string(action.name)]
        if let requestID { o["request_id"] = .string(requestID) }
        if let issuedAt { o["issued_at"] = .time(issuedAt) }
        action.addFields(to: &o)
        if let code { o[action.authKey] = .string(code.reveal()) }
        return o
    }

    /// The payload bytes, ready to publish.
    public func payload() -> [UInt8] {
        do {
            return try object.serializedBytes()
        } catch {
            // Serialization fails only for NaN or a key holding U+0000; a command has neither.
            preconditionFailure("a command payload cannot fail to serialize: \(error)")
        }
    }
}

extension PublicAction {
    /// Where the remote-operation code goes: `auth_code` when `code` is the new code.
    var authKey: String { CommandKind(rawValue: name)?.authKey ?? "code" }

    func addFields(to o: inout JSONObject) {
        switch self {
        case .lock, .unlock, .open, .restart, .refresh: break
        case .setCode(let slot, let name, let code, let validUntil, let replace, let rules):
            o["slot"] = .int(Int64(slot))
            o["name"] = .string(name)
            o["code"] = .string(code.reveal())
            if let validUntil { o["valid_until"] = .time(validUntil) }
            if replace { o["replace"] = true }
            rules?.write(into: &o)
        case .clearCode(let slot), .enableCode(let slot), .disableCode(let slot), .revokeFob(let slot):
            o["slot"] = .int(Int64(slot))
        case .enrollFob(let name, let slot, let rules, let validUntil):
            o["name"] = .string(name)
            if let slot { o["slot"] = .int(Int64(slot)) }
            if let validUntil { o["valid_until"] = .time(validUntil) }
            rules?.write(into: &o)
        case .addPhone(let id, let name, let rules, let validUntil):
            o["id"] = .string(id)
            o["name"] = .string(name)
            if let validUntil { o["valid_until"] = .time(validUntil) }
            rules?.write(into: &o)
        case .revokePhone(let id): o["id"] = .string(id)
        case .setOverrideCode(let code): o["code"] = .string(code.reveal())
        case .setMode(let mode): o["mode"] = .string(mode.rawValue)
        case .setConfig(let patch):
            if let value = patch.autoRelockSeconds { o["auto_relock_s"] = .int(Int64(value)) }
            if let value = patch.wrongCodeLimit { o["wrong_code_limit"] = .int(Int64(value)) }
            if let value = patch.lockoutSeconds { o["lockout_s"] = .int(Int64(value)) }
            if let value = patch.requireCodeForRemote { o["require_code_for_remote"] = .bool(value) }
            if let value = patch.timezone { o["timezone"] = .string(value) }
        case .factoryReset(let confirm): o["confirm"] = .string(confirm)
        case .ackFault(let fault): o["fault"] = .string(fault.rawValue)
        case .ackDuress: o["fault"] = "duress"
        }
    }
}
