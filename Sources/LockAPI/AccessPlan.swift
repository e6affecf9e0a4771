public import Foundation
public import JSON
public import LockCore

/// An access plan (spec 7.2): who may use which locks. The client writes it from a YAML file
/// with ``object(withCodes:)``; the bridge reads it with ``read(_:now:minCodeLength:)`` and
/// makes every lock agree with it.
public struct AccessPlan: Sendable, Equatable {
    /// One person's (or role's) code, on the locks and groups it names.
    public struct Grant: Sendable, Equatable {
        /// Unique within the plan; the name the lock shows for the slot.
        public var name: String
        public var code: SecretCode
        /// Lock ids and group names, as written.
        public var locks: [String]
        /// Type, windows and `valid_from`; nil for a plain unrestricted code.
        public var rules: AccessRules?
        public var validUntil: Date?

        public init(name: String, code: SecretCode, locks: [String], rules: AccessRules? = nil, validUntil: Date? = nil) {
            (self.name, self.code, self.locks, self.rules, self.validUntil) = (name, code, locks, rules, validUntil)
        }

        /// Everything but the code: what the lock shows of the slot.
        public func sameMetadata(_ other: Grant) -> Bool {
            name == other.name && rules == other.rules && validUntil == other.validUntil
        }
    }

    public var name: String
    /// Whether the bridge puts back a plan slot someone else changed or cleared.
    public var enforce: Bool
    /// Group name → lock ids.
    public var groups: [String: [LockID]]
    public var grants: [Grant]

    public init(name: String, enforce: Bool = false, groups: [String: [LockID]] = [:], grants: [Grant]) {
        (self.name, self.enforce, self.groups, self.grants) = (name, enforce, groups, grants)
    }

    /// The locks a grant names, groups expanded, sorted, once each.
    public func locks(of grant: Grant) -> [LockID] {
        var out = Set<LockID>()
        for entry in grant.locks {
            if let members = groups[entry] { out.formUnion(members) } else if let id = LockID(entry) { out.insert(id) }
        }
        return out.sorted()
    }

    /// Every lock the plan names, sorted.
    public var locks: [LockID] { Set(grants.flatMap(locks(of:))).sorted() }

    /// Each lock's grants, in plan order, in one pass over the plan: a bridge looks a lock's
    /// grants up on every answer and snapshot while it reconciles, so it keeps this index
    /// instead of expanding every grant's locks each time.
    public func grantsByLock() -> [LockID: [Grant]] {
        var out: [LockID: [Grant]] = [:]
        for grant in grants {
            for id in locks(of: grant) { out[id, default: []].append(grant) }
        }
        return out
    }

    /// The plan as JSON; the codes only when asked (the request to the bridge, the sealed copy
    /// in its store), never in an answer.
    public func object(withCodes: Bool) -> JSONObject {
        var groupObject: JSONObject = [:]
        for (name, members) in groups { groupObject[name] = .array(members.map { .string($0.rawValue) }) }
        return [
            "name": .string(name), "enforce": .bool(enforce), "groups": .object(groupObject),
            "grants": .array(grants.map { grant in
                var o: JSONObject = ["name": .string(grant.name), "locks": .array(grant.locks.map(JSONValue.string))]
                if withCodes { o["code"] = .string(grant.code.reveal()) }
                (grant.rules ?? AccessRules()).write(into: &o)
                if let validUntil = grant.validUntil { o["valid_until"] = .time(validUntil) }
                return .object(o)
            }),
        ]
    }

    /// Reads and checks a plan: names, groups, grants, and each grant's code and windows exactly
    /// as `set_code` checks them (weak codes included), so a plan that passes here is refused by
    /// no lock for its own fields. Every message names the grant or group, never a code.
    /// - Parameters:
    ///   - now: `valid_until` must lie after it (the bridge reads its own stored plans with `.distantPast`).
    public static func read(_ o: JSONObject, now: Date, minCodeLength: Int) throws(BridgeRequestError) -> AccessPlan {
        try onlyKeys(o, ["name", "enforce", "groups", "grants"], "the plan")
        guard let name = o["name"]?.stringValue, LockID.isValid(name) else {
            throw invalid("the plan's name must look like a lock id: a-z, 0-9, _ and -, starting with a letter or digit, at most 64")
        }
        guard o["enforce"] == nil || o["enforce"]?.boolValue != nil else { throw invalid("enforce must be true or false") }
        let groups = try readGroups(o["groups"])
        guard let list = o["grants"]?.arrayValue, !list.isEmpty else { throw invalid("the plan needs at least one grant in \"grants\"") }
        var grants: [Grant] = []
        for (index, element) in list.enumerated() {
            guard let g = element.objectValue else { throw invalid("grant \(index + 1) is not an object") }
            let grant = try readGrant(g, index: index, groups: groups, now: now, minCodeLength: minCodeLength)
            guard !grants.contains(where: { $0.name == grant.name }) else { throw invalid("two grants are named \"\(grant.name)\"; grant names must be unique") }
            grants.append(grant)
        }
        return AccessPlan(name: name, enforce: o["enforce"]?.boolValue ?? false, groups: groups, grants: grants)
    }

    private static func readGroups(_ value: JSONValue?) throws(BridgeRequestError) -> [String: [LockID]] {
        guard let value, !value.isNull else { return [:] }
        guard let o = value.objectValue else { throw invalid("groups must map group names to lists of lock ids") }
        var groups: [String: [LockID]] = [:]
        for (name, members) in o {
            guard LockID.isValid(name) else { throw invalid("group \"\(name)\": a group name must look like a lock id") }
            guard let list = members.arrayValue, !list.isEmpty else { throw invalid("group \"\(name)\" needs a list of lock ids") }
            var ids: [LockID] = []
            for member in list {
                guard let text = member.stringValue, let id = LockID(text) else { throw invalid("group \"\(name)\": every member must be a lock id") }
                if !ids.contains(id) { ids.append(id) }
            }
            groups[name] = ids
        }
        for (name, _) in groups where groups.values.contains(where: { $0.contains { $0.rawValue == name } }) {
            throw invalid("group \"\(name)\" has the name of a lock; a group may not share a lock's name")
        }
        return groups
    }

    private static func readGrant(
        _ g: JSONObject, index: Int, groups: [String: [LockID]], now: Date, minCodeLength: Int
    ) throws(BridgeRequestError) -> Grant {
        let label = g["name"]?.stringValue.map { "grant \"\($0)\"" } ?? "grant \(index + 1)"
        try onlyKeys(g, ["name", "code", "locks", "type", "schedule", "valid_from", "valid_until"], label)
        guard let entries = g["locks"]?.arrayValue, !entries.isEmpty else { throw invalid("\(label) needs \"locks\": lock ids or group names") }
        var locks: [String] = []
        for entry in entries {
            guard let text = entry.stringValue, groups[text] != nil || LockID.isValid(text) else {
                throw invalid("\(label): every entry of locks must be a lock id or a group of the plan")
            }
            if !locks.contains(text) { locks.append(text) }
        }
        // The grant is read as the set_code it becomes, so both refuse exactly the same things.
        var command: JSONObject = ["command": "set_code", "slot": 1]
        for key in ["name", "code", "type", "schedule", "valid_from", "valid_until"] { command[key] = g[key] }
        let request: CommandRequest
        do {
            request = try CommandReader(object: command, now: now, maxAge: .infinity, minCodeLength: minCodeLength).request()
        } catch {
            throw BridgeRequestError(code: error.code.rawValue, message: "\(label): \(error.message)")
        }
        guard case .setCode(_, let name, let code, let validUntil, _, let rules) = request.action else {
            throw BridgeRequestError(code: "internal_error", message: "\(label) did not read as a set_code")
        }
        return Grant(name: name, code: code, locks: locks, rules: rules, validUntil: validUntil)
    }

    private static func onlyKeys(_ o: JSONObject, _ known: Set<String>, _ what: String) throws(BridgeRequestError) {
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw invalid("\(what): unknown field \"\(unknown)\"; known: \(known.sorted().joined(separator: ", "))")
        }
    }

    static func invalid(_ message: String) -> BridgeRequestError { BridgeRequestError(code: "invalid_field", message: message) }
}
