public import Foundation
public import JSON

/// Where one lock stands with one plan (spec 7.2).
public enum PlanLockStatus: String, Sendable, CaseIterable {
    case inSync = "in_sync"
    case pending, failed, drift
    case needsAuth = "needs_auth"
}

/// A plan's status: retained on `<base>/bridge/plan/<name>` and the `plan/status` answer,
/// typed both ways. It never holds a code.
public struct PlanStatus: Sendable, Equatable {
    public struct Lock: Sendable, Equatable {
        public var status: PlanLockStatus
        public var error: BridgeRequestError?
        public var at: Date

        public init(status: PlanLockStatus, error: BridgeRequestError? = nil, at: Date) {
            (self.status, self.error, self.at) = (status, error, at)
        }
    }

    public var name: String
    public var appliedAt: Date
    public var locks: [String: Lock]
    /// `plan/remove` was asked and the slots are being cleared.
    public var removing = false

    public init(name: String, appliedAt: Date, locks: [String: Lock], removing: Bool = false) {
        (self.name, self.appliedAt, self.locks, self.removing) = (name, appliedAt, locks, removing)
    }

    public func count(_ status: PlanLockStatus) -> Int { locks.values.count { $0.status == status } }

    /// Every lock in sync, failed or waiting for an auth code: nothing more will happen by itself.
    public var settled: Bool { locks.values.allSatisfy { $0.status != .pending && $0.status != .drift } }

    public var object: JSONObject {
        var summary: JSONObject = [:]
        for status in PlanLockStatus.allCases { summary[status.rawValue] = .int(Int64(count(status))) }
        var lockObject: JSONObject = [:]
        for (id, lock) in locks {
            lockObject[id] = .object([
                "status": .string(lock.status.rawValue),
                "error": lock.error.map { .object(["code": .string($0.code), "message": .string($0.message)]) } ?? .null, "at": .time(lock.at),
            ])
        }
        var o: JSONObject = ["name": .string(name), "applied_at": .time(appliedAt), "summary": .object(summary), "locks": .object(lockObject)]
        if removing { o["removing"] = true }
        return o
    }

    public init(json o: JSONObject) throws(JSONError) {
        name = try o.string("name")
        appliedAt = try o.time("applied_at")
        locks = [:]
        for (id, value) in try o.object("locks") {
            guard let l = value.objectValue else { throw JSONError(.wrongType, field: "locks", detail: "expected objects") }
            let status: PlanLockStatus = try l.requiredCase("status")
            var error: BridgeRequestError?
            if let e = try l.optionalObject("error") { error = BridgeRequestError(code: try e.string("code"), message: try e.string("message")) }
            locks[id] = Lock(status: status, error: error, at: try l.time("at"))
        }
        removing = try o.optionalBool("removing") ?? false
    }
}
