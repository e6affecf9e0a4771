public import Foundation
public import JSON
public import LockCore

/// The `credentials` payload (spec 3.4): metadata of every credential, never a secret.
public enum CredentialsPayload {
    /// - Parameter rotation: when set, each code gets `rotate_by` = `set_at` + rotation.
    public static func object(_ credentials: Credentials, rotation: TimeInterval? = nil) -> JSONObject {
        func time(_ date: Date?) -> JSONValue { date.map { .string(RFC3339.format($0)) } ?? .null }
        let codes: [JSONValue] = credentials.pins.map { pin in
            var o: JSONObject = [
                "slot": .int(Int64(pin.slot)), "name": .string(pin.name), "enabled": .bool(pin.enabled),
                "set_at": time(pin.setAt),
            ]
            if let rotation { o["rotate_by"] = time(pin.setAt.addingTimeInterval(rotation)) }
            o["valid_until"] = time(pin.validUntil)
            o["last_used_at"] = time(pin.lastUsedAt)
            return .object(o)
        }
        let fobs: [JSONValue] = credentials.fobs.map {
            .object([
                "slot": .int(Int64($0.slot)), "name": .string($0.name), "enrolled_at": time($0.enrolledAt),
                "last_used_at": time($0.lastUsedAt),
            ])
        }
        let phones: [JSONValue] = credentials.phones.map {
            .object([
                "id": .string($0.id), "name": .string($0.name), "added_at": time($0.addedAt),
                "last_used_at": time($0.lastUsedAt),
            ])
        }
        return [
            "codes": .array(codes), "fobs": .array(fobs), "phones": .array(phones),
            "override": .object(["code_set": .bool(credentials.overrideCodeSet), "key_fitted": .bool(credentials.overrideKeyFitted)]),
            "mechanical_key": .object(["fitted": .bool(credentials.mechanicalKeyFitted)]),
        ]
    }
}
