public import Foundation
public import JSON
public import LockCore

/// Metadata of every credential on a lock, never a secret: the `credentials` payload of spec 3.4,
/// which the device snapshot carries and the bridge republishes (adding `rotate_by`).
public struct CredentialList: Sendable, Equatable {
    public struct Code: Sendable, Equatable {
        public var slot: Int
        public var name: String
        public var enabled: Bool
        public var setAt: Date
        public var validUntil: Date?
        public var lastUsedAt: Date?
        /// When the bridge asks for a new code (`rotate_by`); only in the bridge's payload.
        public var rotateBy: Date? = nil
        /// Type, windows, `valid_from` (spec 7.1); a duress code is listed as unrestricted.
        public var rules: AccessRules? = nil
        /// Whether it would open now, as the lock computed it at the payload's time.
        public var usableNow = true
        public var usedUp = false
        /// The access plan that owns the slot.
        public var plan: String? = nil
    }

    public struct Fob: Sendable, Equatable {
        public var slot: Int
        public var name: String
        public var enrolledAt: Date
        public var lastUsedAt: Date?
        public var rules: AccessRules? = nil
        public var validUntil: Date? = nil
        public var usableNow = true
    }

    public struct Phone: Sendable, Equatable {
        public var id: String
        public var name: String
        public var addedAt: Date
        public var lastUsedAt: Date?
        public var rules: AccessRules? = nil
        public var validUntil: Date? = nil
        public var usableNow = true
    }

    public var codes: [Code] = []
    public var fobs: [Fob] = []
    public var phones: [Phone] = []
    public var overrideCodeSet = false
    public var overrideKeyFitted = true
    public var mechanicalKeyFitted = true

    public init() {}

    /// The public part of a lock's credentials, with `usable_now` as of `now` on the lock's clock.
    public init(_ credentials: Credentials, at time: LockTime = LockTime(now: Date())) {
        codes = credentials.pins.map { pin in
            // Nothing says "duress" outside the lock: it is listed as an unrestricted code.
            var rules = pin.rules
            if rules?.type == .duress { rules?.type = .unrestricted }
            return Code(
                slot: pin.slot, name: pin.name, enabled: pin.enabled, setAt: pin.setAt, validUntil: pin.validUntil, lastUsedAt: pin.lastUsedAt,
                rules: rules == AccessRules() ? nil : rules, usableNow: pin.isUsable(at: time), usedUp: pin.isUsedUp, plan: pin.plan)
        }
        fobs = credentials.fobs.map {
            Fob(
                slot: $0.slot, name: $0.name, enrolledAt: $0.enrolledAt, lastUsedAt: $0.lastUsedAt, rules: $0.rules, validUntil: $0.validUntil,
                usableNow: $0.refusal(at: time) == nil)
        }
        phones = credentials.phones.map {
            Phone(
                id: $0.id, name: $0.name, addedAt: $0.addedAt, lastUsedAt: $0.lastUsedAt, rules: $0.rules, validUntil: $0.validUntil,
                usableNow: $0.refusal(at: time) == nil)
        }
        overrideCodeSet = credentials.overrideCodeSet
        overrideKeyFitted = credentials.overrideKeyFitted
        mechanicalKeyFitted = credentials.mechanicalKeyFitted
    }

    /// Slots whose code was set at least `period` before `now`.
    public func codesOlder(than period: TimeInterval, now: Date) -> Set<Int> {
        Set(codes.filter { now.timeIntervalSince($0.setAt) >= period }.map(\.slot))
    }
}

extension CredentialList {
    /// The JSON; with `rotation`, each code also gets `rotate_by` = `set_at` + rotation.
    public func object(rotation: TimeInterval? = nil) -> JSONObject {
        let codes: [JSONValue] = codes.map { code in
            var o: JSONObject = [
                "slot": .int(Int64(code.slot)), "name": .string(code.name), "enabled": .bool(code.enabled), "set_at": .time(code.setAt),
            ]
            if let rotation { o["rotate_by"] = .time(code.setAt.addingTimeInterval(rotation)) }
            o["valid_until"] = .time(code.validUntil)
            o["last_used_at"] = .time(code.lastUsedAt)
            Self.writeRules(code.rules, usableNow: code.usableNow, into: &o)
            if code.usedUp { o["used_up"] = true }
            if let plan = code.plan { o["plan"] = .string(plan) }
            return .object(o)
        }
        let fobs: [JSONValue] = fobs.map {
            var o: JSONObject = [
                "slot": .int(Int64($0.slot)), "name": .string($0.name), "enrolled_at": .time($0.enrolledAt), "last_used_at": .time($0.lastUsedAt),
                "valid_until": .time($0.validUntil),
            ]
            Self.writeRules($0.rules, usableNow: $0.usableNow, into: &o)
            return .object(o)
        }
        let phones: [JSONValue] = phones.map {
            var o: JSONObject = [
                "id": .string($0.id), "name": .string($0.name), "added_at": .time($0.addedAt), "last_used_at": .time($0.lastUsedAt),
                "valid_until": .time($0.validUntil),
            ]
            Self.writeRules($0.rules, usableNow: $0.usableNow, into: &o)
            return .object(o)
        }
        return [
            "codes": .array(codes), "fobs": .array(fobs), "phones": .array(phones),
            "override": .object(["code_set": .bool(overrideCodeSet), "key_fitted": .bool(overrideKeyFitted)]),
            "mechanical_key": .object(["fitted": .bool(mechanicalKeyFitted)]),
        ]
    }

    /// `type`, `schedule`, `valid_from` (spec 7.1: every credential lists them) and `usable_now`.
    static func writeRules(_ rules: AccessRules?, usableNow: Bool, into o: inout JSONObject) {
        let rules = rules ?? AccessRules()
        rules.write(into: &o)
        o["schedule"] = AccessRules.json(rules.schedule)
        o["valid_from"] = .time(rules.validFrom)
        o["usable_now"] = .bool(usableNow)
    }

    static func readRules(_ o: JSONObject) throws(JSONError) -> AccessRules? {
        let rules = try AccessRules.read(o)
        return rules == AccessRules() ? nil : rules
    }

    /// Reads the JSON, the lock's or the bridge's (which adds `rotate_by`).
    public init(json o: JSONObject) throws(JSONError) {
        codes = try o.objects("codes") { c throws(JSONError) in
            Code(
                slot: try c.int("slot"), name: try c.string("name"), enabled: try c.bool("enabled"), setAt: try c.time("set_at"),
                validUntil: try c.optionalTime("valid_until"), lastUsedAt: try c.optionalTime("last_used_at"),
                rotateBy: try c.optionalTime("rotate_by"), rules: try Self.readRules(c), usableNow: try c.optionalBool("usable_now") ?? true,
                usedUp: try c.optionalBool("used_up") ?? false, plan: try c.optionalString("plan"))
        }
        fobs = try o.objects("fobs") { f throws(JSONError) in
            Fob(
                slot: try f.int("slot"), name: try f.string("name"), enrolledAt: try f.time("enrolled_at"), lastUsedAt: try f.optionalTime("last_used_at"),
                rules: try Self.readRules(f), validUntil: try f.optionalTime("valid_until"), usableNow: try f.optionalBool("usable_now") ?? true)
        }
        phones = try o.objects("phones") { p throws(JSONError) in
            Phone(
                id: try p.string("id"), name: try p.string("name"), addedAt: try p.time("added_at"), lastUsedAt: try p.optionalTime("last_used_at"),
                rules: try Self.readRules(p), validUntil: try p.optionalTime("valid_until"), usableNow: try p.optionalBool("usable_now") ?? true)
        }
        let override = try o.optionalObject("override") ?? [:]
        overrideCodeSet = try override.optionalBool("code_set") ?? false
        overrideKeyFitted = try override.optionalBool("key_fitted") ?? true
        mechanicalKeyFitted = try (o.optionalObject("mechanical_key") ?? [:]).optionalBool("fitted") ?? true
    }
}
