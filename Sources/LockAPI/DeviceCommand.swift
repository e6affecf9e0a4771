import Foundation
public import JSON
public import LockCore

/// A command on `lockdev/<id>/cmd`: what the lock is asked, with the request id, the replay
/// counter and, for commands that need one, the remote-operation code.
///
/// Codes cross the link only sealed (``CodeSeal``, device link version 2). The code fields hold
/// bytes of two kinds, by side: the bridge puts the sealed bytes in them before ``payload()``;
/// ``parse(_:opening:)`` opens them and hands back the lock's own salted hashes.
public struct DeviceCommand: Sendable, Equatable {
    public var requestID: String
    public var counter: UInt64
    public var command: LockCommand
    /// The code that authorises a remote operation (not a new code being set).
    public var code: CodeHash?
    /// The sending bridge's epoch for the lock's shard (spec 8); 0 for a bridge on its own,
    /// and then left off the wire.
    public var ownerEpoch: UInt64

    public init(requestID: String, counter: UInt64, command: LockCommand, code: CodeHash? = nil, ownerEpoch: UInt64 = 0) {
        self.ownerEpoch = ownerEpoch
        self.requestID = requestID
        self.counter = counter
        self.command = command
        self.code = code
    }

    /// The lock's input for this command.
    public var input: LockInput { .command(command, code: code, requestID: requestID) }

    public func payload() throws(JSONError) -> [UInt8] {
        var o: JSONObject = [
            "v": .int(Int64(DeviceTopics.version)), "request_id": .string(requestID),
            "counter": .int(Int64(counter)), "command": .string(command.name),
        ]
        if let code { o[CodeSeal.remoteCodeField] = .string(Hex.encode(code.rawBytes)) }
        if ownerEpoch > 0 { o["owner_epoch"] = .int(Int64(ownerEpoch)) }
        switch command {
        case .lock, .unlock, .open, .restart, .factoryReset, .refresh, .ping, .claim, .ackDuress:
            break
        case .setClock(let at):
            o["at"] = .time(at)
        case .setCode(let slot, let name, let hash, let validUntil, let replace, let rules, let plan):
            o["slot"] = .int(Int64(slot))
            o["name"] = .string(name)
            o[CodeSeal.newCodeField] = .string(Hex.encode(hash.rawBytes))
            if let validUntil { o["valid_until"] = .string(RFC3339.format(validUntil)) }
            if replace { o["replace"] = true }
            rules?.write(into: &o)
            if let plan { o["plan"] = .string(plan) }
        case .clearCode(let slot, let plan):
            o["slot"] = .int(Int64(slot))
            if let plan { o["plan"] = .string(plan) }
        case .enableCode(let slot), .disableCode(let slot), .revokeFob(let slot):
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
        case .revokePhone(let id):
            o["id"] = .string(id)
        case .setOverrideCode(let hash):
            o[CodeSeal.newCodeField] = .string(Hex.encode(hash.rawBytes))
        case .setMode(let mode):
            o["mode"] = .string(mode.rawValue)
        case .setConfig(let patch):
            o["config"] = .object(ConfigPayload.object(patch))
        }
        return try o.serializedBytes()
    }

    /// Opens one sealed code field into what the lock keeps (its salted hash).
    public typealias CodeOpener = (_ sealed: [UInt8], _ field: String) throws(DeviceLinkError) -> CodeHash

    /// Reads a command payload as `lock` does: each sealed code is opened with `seal` and
    /// hashed with `hash`. The error names the field at fault, never a value.
    public static func parse(
        _ bytes: [UInt8], lock: LockID, seal: CodeSeal, hash: @escaping (String) -> CodeHash
    ) throws(DeviceLinkError) -> DeviceCommand {
        try parse(bytes) { sealed, field throws(DeviceLinkError) in hash(try seal.open(sealed, lock: lock, field: field)) }
    }

    /// Reads a command payload, handing each sealed code field to `open`.
    public static func parse(_ bytes: [UInt8], opening open: CodeOpener) throws(DeviceLinkError) -> DeviceCommand {
        try SignedEnvelope.read(bytes) { o, counter in
            let code = try o.optionalString(CodeSeal.remoteCodeField).map { text throws(DeviceLinkError) in
                try open(try sealed(text, CodeSeal.remoteCodeField), CodeSeal.remoteCodeField)
            }
            return DeviceCommand(
                requestID: try o.string("request_id"), counter: counter, command: try command(o, open), code: code,
                ownerEpoch: try SignedEnvelope.ownerEpoch(o))
        }
    }

    private static func command(_ o: JSONObject, _ open: CodeOpener) throws -> LockCommand {
        func newCode() throws -> CodeHash { try open(try sealed(try o.string(CodeSeal.newCodeField), CodeSeal.newCodeField), CodeSeal.newCodeField) }
        let name = try o.string("command")
        switch name {
        case "lock": return .lock
        case "unlock": return .unlock
        case "open": return .open
        case "restart": return .restart
        case "factory_reset": return .factoryReset
        case "refresh": return .refresh
        case "ping": return .ping
        case "claim": return .claim
        case "ack_fault": return .ackDuress
        case "set_clock": return .setClock(at: try o.time("at"))
        case "set_code":
            let validUntil = try o.optionalString("valid_until").map { text throws(DeviceLinkError) in
                guard let date = RFC3339.parse(text) else { throw DeviceLinkError("not an RFC 3339 time", field: "valid_until") }
                return date
            }
            return .setCode(
                slot: try o.int("slot"), name: try o.string("name"), hash: try newCode(),
                validUntil: validUntil, replace: try o.optionalBool("replace") ?? false, rules: try AccessRules.read(o),
                plan: try o.optionalString("plan"))
        case "clear_code": return .clearCode(slot: try o.int("slot"), plan: try o.optionalString("plan"))
        case "enable_code": return .enableCode(slot: try o.int("slot"))
        case "disable_code": return .disableCode(slot: try o.int("slot"))
        case "revoke_fob": return .revokeFob(slot: try o.int("slot"))
        case "enroll_fob":
            return .enrollFob(
                name: try o.string("name"), slot: try o.optionalInt("slot"), rules: try AccessRules.read(o), validUntil: try o.optionalTime("valid_until"))
        case "add_phone":
            return .addPhone(
                id: try o.string("id"), name: try o.string("name"), rules: try AccessRules.read(o), validUntil: try o.optionalTime("valid_until"))
        case "revoke_phone": return .revokePhone(id: try o.string("id"))
        case "set_override_code": return .setOverrideCode(try newCode())
        case "set_mode":
            guard let mode = LockMode(rawValue: try o.string("mode")) else {
                throw DeviceLinkError("unknown mode", field: "mode")
            }
            return .setMode(mode)
        case "set_config": return .setConfig(try ConfigPayload.patch(try o.object("config")))
        default: throw DeviceLinkError("unknown command", field: "command")
        }
    }

    private static func sealed(_ text: String, _ field: String) throws(DeviceLinkError) -> [UInt8] {
        guard let bytes = Hex.decode(text), !bytes.isEmpty else { throw DeviceLinkError("not a hex sealed code", field: field) }
        return bytes
    }
}

/// Lock settings as JSON, with the spec's field names.
public enum ConfigPayload {
    public static func object(_ patch: LockConfigPatch) -> JSONObject {
        var o = JSONObject()
        if let v = patch.autoRelockSeconds { o["auto_relock_s"] = .int(Int64(v)) }
        if let v = patch.wrongCodeLimit { o["wrong_code_limit"] = .int(Int64(v)) }
        if let v = patch.lockoutSeconds { o["lockout_s"] = .int(Int64(v)) }
        if let v = patch.requireCodeForRemote { o["require_code_for_remote"] = .bool(v) }
        if let v = patch.doorAjarSeconds { o["door_ajar_s"] = .int(Int64(v)) }
        if let v = patch.minCodeLength { o["min_code_length"] = .int(Int64(v)) }
        if let v = patch.timezone { o["timezone"] = .string(v) }
        return o
    }

    public static func object(_ config: LockConfig) -> JSONObject {
        object(LockConfigPatch(
            autoRelockSeconds: config.autoRelockSeconds, wrongCodeLimit: config.wrongCodeLimit,
            lockoutSeconds: config.lockoutSeconds, requireCodeForRemote: config.requireCodeForRemote,
            doorAjarSeconds: config.doorAjarSeconds, minCodeLength: config.minCodeLength, timezone: config.timezone))
    }

    public static func patch(_ o: JSONObject) throws(JSONError) -> LockConfigPatch {
        LockConfigPatch(
            autoRelockSeconds: try o.optionalInt("auto_relock_s"), wrongCodeLimit: try o.optionalInt("wrong_code_limit"),
            lockoutSeconds: try o.optionalInt("lockout_s"), requireCodeForRemote: try o.optionalBool("require_code_for_remote"),
            doorAjarSeconds: try o.optionalInt("door_ajar_s"), minCodeLength: try o.optionalInt("min_code_length"),
            timezone: try o.optionalString("timezone"))
    }
}
