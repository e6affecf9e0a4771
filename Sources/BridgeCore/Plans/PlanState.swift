public import Foundation
public import JSON
public import LockAPI
import LockCore

/// A plan as the bridge keeps it: the plan with its codes, the locks' remote codes, and a
/// version per grant that goes up whenever the grant's code or fields change, so the bridge
/// knows which slots to rewrite without keeping anything derived from a code.
public struct PlanDefinition: Sendable, Equatable {
    public var plan: AccessPlan
    public var authCodes: [LockID: SecretCode]
    public var appliedAt: Date
    public var versions: [String: Int]
    /// `plan/remove` was asked: every slot is being cleared, then the plan is forgotten.
    public var removing = false

    /// Which apply (and whether its removal) a lock's saved standing was reconciled under.
    var revision: PlanRevision { PlanRevision(appliedAt: RFC3339.format(appliedAt), removing: removing) }

    public init(plan: AccessPlan, authCodes: [LockID: SecretCode], appliedAt: Date, versions: [String: Int], removing: Bool = false) {
        (self.plan, self.authCodes, self.appliedAt, self.versions, self.removing) = (plan, authCodes, appliedAt, versions, removing)
    }

    /// Everything, codes included: only ever stored sealed (``PlanVault`` in the Bridge module).
    public var object: JSONObject {
        var codes: JSONObject = [:]
        for (lock, code) in authCodes { codes[lock.rawValue] = .string(code.reveal()) }
        var versionObject: JSONObject = [:]
        for (grant, version) in versions { versionObject[grant] = .int(Int64(version)) }
        return [
            "plan": .object(plan.object(withCodes: true)), "auth_codes": .object(codes), "applied_at": .time(appliedAt),
            "versions": .object(versionObject), "removing": .bool(removing),
        ]
    }

    public init(object o: JSONObject) throws(BridgeRequestError) {
        guard let planObject = o["plan"]?.objectValue, let appliedAt = o["applied_at"]?.stringValue.flatMap(RFC3339.parse) else {
            throw BridgeRequestError(code: "internal_error", message: "a stored plan lacks its plan or applied_at")
        }
        plan = try AccessPlan.read(planObject, now: .distantPast, minCodeLength: 4)
        authCodes = [:]
        for (lock, code) in o["auth_codes"]?.objectValue ?? [:] {
            if let id = LockID(lock), let text = code.stringValue { authCodes[id] = SecretCode(text) }
        }
        self.appliedAt = appliedAt
        versions = [:]
        for (grant, version) in o["versions"]?.objectValue ?? [:] { versions[grant] = version.intValue.map(Int.init) ?? 1 }
        removing = o["removing"]?.boolValue ?? false
    }
}

/// One apply of a plan, or its removal: several bridges (spec 8) each store their own locks'
/// standing with the revision they reconciled under, so the owner of shard 0 counts a standing
/// only once its lock's owner has caught up with the plan as it is now.
struct PlanRevision: Sendable, Equatable {
    /// `applied_at` as stored (milliseconds), so it compares equal across bridges.
    var appliedAt: String
    var removing: Bool

    var object: JSONObject { ["applied_at": .string(appliedAt), "removing": .bool(removing)] }

    init(appliedAt: String, removing: Bool) { (self.appliedAt, self.removing) = (appliedAt, removing) }

    init?(object o: JSONObject?) {
        guard let o, let at = o["applied_at"]?.stringValue else { return nil }
        (appliedAt, removing) = (at, o["removing"]?.boolValue ?? false)
    }
}

/// A slot a grant holds on one lock.
struct PlanSlot: Sendable, Equatable {
    var slot: Int
    /// The grant version written there.
    var version: Int
    /// The slot's `set_at` as the lock reported it after the plan's write: any other value
    /// later means someone else rewrote it. Nil until the lock's credentials show the write.
    var setAt: Date?
    /// When the bridge put it back (at most 3 an hour).
    var enforcedAt: [Date] = []
}

/// A write the plan sent to a lock and that is not answered yet. Stored before it goes out, so
/// after a crash the bridge can tell from the lock's credentials whether it arrived.
struct PlanWrite: Sendable, Equatable {
    enum Kind: String, Sendable { case add, replace, clear }
    var requestID: String
    var grant: String
    var slot: Int
    var kind: Kind
    var version: Int
    var sentAt: Date
    /// The slot's `set_at` before the write (nil: empty).
    var previousSetAt: Date?
    /// Whether it puts back what someone else changed (an `enforced` event follows).
    var enforcing: Bool
    /// Sent by an earlier run of the bridge: no ack will come for it.
    var orphaned = false
}

/// One lock's standing with one plan.
struct PlanLock: Sendable, Equatable {
    var status: PlanLockStatus = .pending
    var error: LockError?
    var at: Date
    /// Grant name → its slot.
    var slots: [String: PlanSlot] = [:]
    var inFlight: PlanWrite?
    /// Transient failures in a row, and when to try again.
    var attempts = 0
    var retryAt: Date?
    /// Slots the lock said were occupied: the next free one is tried.
    var occupied: Set<Int> = []
    /// A refusal that is not retried (failed, needs_auth) until the plan is applied again.
    var stuck = false
    /// Drift already reported, by grant, so each change is reported once.
    var driftReported: Set<String> = []
    /// The plan's revision this standing was saved under (read back from the store).
    var revision: PlanRevision?

    init(at: Date) { self.at = at }
}

extension PlanLock {
    var object: JSONObject {
        var slotObject: JSONObject = [:]
        for (grant, s) in slots {
            slotObject[grant] = .object([
                "slot": .int(Int64(s.slot)), "version": .int(Int64(s.version)), "set_at": .time(s.setAt),
                "enforced_at": .array(s.enforcedAt.map { .time($0) }),
            ])
        }
        var o: JSONObject = [
            "status": .string(status.rawValue), "at": .time(at), "slots": .object(slotObject), "attempts": .int(Int64(attempts)),
            "occupied": .array(occupied.sorted().map { .int(Int64($0)) }), "stuck": .bool(stuck),
            "drift_reported": .array(driftReported.sorted().map(JSONValue.string)),
        ]
        if let error { o["error"] = .object(["code": .string(error.code.rawValue), "message": .string(error.message)]) }
        if let w = inFlight {
            o["in_flight"] = .object([
                "request_id": .string(w.requestID), "grant": .string(w.grant), "slot": .int(Int64(w.slot)), "kind": .string(w.kind.rawValue),
                "version": .int(Int64(w.version)), "sent_at": .time(w.sentAt), "previous_set_at": .time(w.previousSetAt),
                "enforcing": .bool(w.enforcing),
            ])
        }
        return o
    }

    /// A saved state; what cannot be read is left at its default (the lock is reconciled again).
    init(object o: JSONObject, now: Date) {
        at = o["at"]?.stringValue.flatMap(RFC3339.parse) ?? now
        status = o["status"]?.stringValue.flatMap(PlanLockStatus.init(rawValue:)) ?? .pending
        if let e = o["error"]?.objectValue, let code = e["code"]?.stringValue.flatMap(LockErrorCode.init(rawValue:)) {
            error = LockError(code, e["message"]?.stringValue ?? "")
        }
        for (grant, value) in o["slots"]?.objectValue ?? [:] {
            guard let s = value.objectValue, let slot = s["slot"]?.intValue else { continue }
            slots[grant] = PlanSlot(
                slot: Int(slot), version: Int(s["version"]?.intValue ?? 0), setAt: s["set_at"]?.stringValue.flatMap(RFC3339.parse),
                enforcedAt: (s["enforced_at"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(RFC3339.parse) })
        }
        attempts = Int(o["attempts"]?.intValue ?? 0)
        occupied = Set((o["occupied"]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) })
        stuck = o["stuck"]?.boolValue ?? false
        driftReported = Set((o["drift_reported"]?.arrayValue ?? []).compactMap(\.stringValue))
        revision = PlanRevision(object: o["revision"]?.objectValue)
        if let w = o["in_flight"]?.objectValue, let requestID = w["request_id"]?.stringValue, let grant = w["grant"]?.stringValue,
            let slot = w["slot"]?.intValue, let kind = w["kind"]?.stringValue.flatMap(PlanWrite.Kind.init(rawValue:)),
            let sentAt = w["sent_at"]?.stringValue.flatMap(RFC3339.parse)
        {
            inFlight = PlanWrite(
                requestID: requestID, grant: grant, slot: Int(slot), kind: kind, version: Int(w["version"]?.intValue ?? 0), sentAt: sentAt,
                previousSetAt: w["previous_set_at"]?.stringValue.flatMap(RFC3339.parse), enforcing: w["enforcing"]?.boolValue ?? false,
                orphaned: true)
        }
    }
}

/// A plan with where each of its locks stands.
struct PlanEntry: Sendable {
    var definition: PlanDefinition {
        didSet { grantsByLock = definition.plan.grantsByLock() }
    }
    /// The plan's grants on each lock, in plan order (looked up at every step of reconciling).
    private(set) var grantsByLock: [LockID: [AccessPlan.Grant]]
    var locks: [LockID: PlanLock] = [:]
    /// The retained status needs publishing; it goes out at most once a second.
    var statusDue = true
    var statusPublishedAt: Date?

    init(definition: PlanDefinition) {
        self.definition = definition
        grantsByLock = definition.plan.grantsByLock()
    }

    var name: String { definition.plan.name }

    /// `bridge/plan/<name>` and the `plan/status` answer: never a code.
    var status: PlanStatus {
        var out: [String: PlanStatus.Lock] = [:]
        for (id, state) in locks {
            out[id.rawValue] = PlanStatus.Lock(
                status: state.status, error: state.error.map { BridgeRequestError(code: $0.code.rawValue, message: $0.message) }, at: state.at)
        }
        return PlanStatus(name: name, appliedAt: definition.appliedAt, locks: out, removing: definition.removing)
    }

    func statusObject() -> JSONObject { status.object }
}

/// What the store kept of one plan.
public struct StoredPlan: Sendable {
    public var definition: PlanDefinition
    /// Each lock's saved standing (JSON).
    public var locks: [String: [UInt8]]

    public init(definition: PlanDefinition, locks: [String: [UInt8]]) {
        self.definition = definition
        self.locks = locks
    }
}
