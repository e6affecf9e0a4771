public import Foundation
public import JSON

/// What every changing plan request carries, read as a command's envelope is (spec 4 and 7.2):
/// `issued_at` within the maximum age, and a `request_id` that is not applied twice.
public struct PlanChange: Sendable, Equatable {
    public var requestID: String?
    public var issuedAt: Date

    public init(requestID: String? = nil, issuedAt: Date) {
        (self.requestID, self.issuedAt) = (requestID, issuedAt)
    }

    func object() -> JSONObject {
        var o: JSONObject = ["issued_at": .time(issuedAt)]
        if let requestID { o["request_id"] = .string(requestID) }
        return o
    }

    static func read(_ o: JSONObject, now: Date, maxAge: TimeInterval) throws(BridgeRequestError) -> PlanChange {
        var requestID: String?
        if let value = o["request_id"] {
            guard let text = value.stringValue, CommandReader.isValidRequestID(text) else {
                throw BridgeRequestError(code: "invalid_field", message: "request_id must be 1 to 128 printable ASCII characters")
            }
            requestID = text
        }
        guard let text = o["issued_at"]?.stringValue, let issuedAt = RFC3339.parse(text) else {
            throw BridgeRequestError(code: "invalid_field", message: "issued_at is required: an RFC 3339 time")
        }
        if issuedAt > now.addingTimeInterval(5) {
            throw BridgeRequestError(code: "invalid_field", message: "issued_at is more than 5 s in the future")
        }
        if now.timeIntervalSince(issuedAt) > maxAge {
            throw BridgeRequestError(code: "expired", message: "issued_at is older than the maximum age of \(Int(maxAge)) s")
        }
        return PlanChange(requestID: requestID, issuedAt: issuedAt)
    }
}

/// The body of `plan/apply`: the plan, the remote codes of the locks that require one, and
/// whether only to say what would change.
public struct PlanApply: Sendable, Equatable {
    public var plan: AccessPlan
    /// The code for remote operation, of each lock that requires one.
    public var authCodes: [LockID: SecretCode]
    public var dryRun: Bool
    public var change: PlanChange

    public init(plan: AccessPlan, authCodes: [LockID: SecretCode] = [:], dryRun: Bool = false, change: PlanChange) {
        (self.plan, self.authCodes, self.dryRun, self.change) = (plan, authCodes, dryRun, change)
    }

    func object() -> JSONObject {
        var o = change.object()
        o["plan"] = .object(plan.object(withCodes: true))
        if !authCodes.isEmpty {
            var codes: JSONObject = [:]
            for (lock, code) in authCodes { codes[lock.rawValue] = .string(code.reveal()) }
            o["auth_codes"] = .object(codes)
        }
        if dryRun { o["dry_run"] = true }
        return o
    }

    static func read(_ o: JSONObject, change: PlanChange, now: Date, minCodeLength: Int) throws(BridgeRequestError) -> PlanApply {
        if let unknown = o.keys.sorted().first(where: { !["plan", "auth_codes", "dry_run", "issued_at", "request_id", "transaction"].contains($0) }) {
            throw AccessPlan.invalid("plan/apply: unknown field \"\(unknown)\"")
        }
        guard let planObject = o["plan"]?.objectValue else { throw AccessPlan.invalid("plan/apply needs \"plan\": an object") }
        let plan = try AccessPlan.read(planObject, now: now, minCodeLength: minCodeLength)
        var authCodes: [LockID: SecretCode] = [:]
        if let value = o["auth_codes"], !value.isNull {
            guard let codes = value.objectValue else { throw AccessPlan.invalid("auth_codes must map lock ids to codes") }
            for (lock, code) in codes {
                guard let id = LockID(lock), let text = code.stringValue, !text.isEmpty else {
                    throw AccessPlan.invalid("auth_codes must map lock ids to codes")
                }
                authCodes[id] = SecretCode(text)
            }
        }
        guard o["dry_run"] == nil || o["dry_run"]?.boolValue != nil else { throw AccessPlan.invalid("dry_run must be true or false") }
        return PlanApply(plan: plan, authCodes: authCodes, dryRun: o["dry_run"]?.boolValue ?? false, change: change)
    }
}
