public import Foundation
public import JSON

/// A request on `<base>/bridge/request/<name>` (spec section 2), typed both ways: the CLI
/// writes it with ``payload(transaction:)`` and the bridge reads it with ``parse(name:payload:)``.
public enum BridgeRequest: Sendable, Equatable {
    /// Every lock's state, or one lock's.
    case locks(lock: LockID?)
    /// One lock's credential metadata.
    case credentials(lock: LockID)
    /// Forget a lock that is gone for good.
    case remove(lock: LockID)
    /// The bridge's counters.
    case health
    /// One lock's audit history, newest last.
    case history(lock: LockID, since: Date?, limit: Int)
    /// Apply an access plan, or with `dry_run` only say what would change (spec 7.2).
    case planApply(PlanApply)
    /// Clear every slot a plan set, then forget it.
    case planRemove(name: String, change: PlanChange)
    /// One plan's status, or every plan's.
    case planStatus(name: String?)
    /// Every plan, without its codes.
    case planList

    /// Every request name, as the topic ends.
    public static let names = ["credentials", "health", "history", "locks", "plan/apply", "plan/list", "plan/remove", "plan/status", "remove"]
    /// The requests that change something and so follow the rules of commands (spec 7.2):
    /// retained ones are refused and cleared, `issued_at` is required and fresh, and a repeated
    /// `request_id` is not applied twice.
    public static let changing: Set<String> = ["plan/apply", "plan/remove"]
    /// The range of `history`'s `limit`; 100 when absent.
    public static let historyLimits = 1...10_000

    public var name: String {
        switch self {
        case .locks: "locks"
        case .credentials: "credentials"
        case .remove: "remove"
        case .health: "health"
        case .history: "history"
        case .planApply: "plan/apply"
        case .planRemove: "plan/remove"
        case .planStatus: "plan/status"
        case .planList: "plan/list"
        }
    }

    /// The request's JSON, with the `transaction` the answer echoes.
    public func object(transaction: String?) -> JSONObject {
        var o: JSONObject = [:]
        switch self {
        case .locks(let lock): if let lock { o["lock"] = .string(lock.rawValue) }
        case .credentials(let lock), .remove(let lock): o["lock"] = .string(lock.rawValue)
        case .health: break
        case .history(let lock, let since, let limit):
            o["lock"] = .string(lock.rawValue)
            if let since { o["since"] = .time(since) }
            o["limit"] = .int(Int64(limit))
        case .planApply(let apply): o = apply.object()
        case .planRemove(let name, let change):
            o = change.object()
            o["name"] = .string(name)
        case .planStatus(let name): if let name { o["name"] = .string(name) }
        case .planList: break
        }
        if let transaction { o["transaction"] = .string(transaction) }
        return o
    }

    public func payload(transaction: String?) -> [UInt8] { (try? object(transaction: transaction).serializedBytes()) ?? [] }

    /// Reads the request `name` from its payload. The `transaction` is returned even when the
    /// request is refused, so the refusal can echo it. An empty or unreadable payload reads as `{}`.
    /// - Parameters:
    ///   - now, maxAge, minCodeLength: for the changing requests, as for commands.
    public static func parse(
        name: String, payload: [UInt8], now: Date = Date(), maxAge: TimeInterval = 30, minCodeLength: Int = 6
    ) -> (request: Result<BridgeRequest, BridgeRequestError>, transaction: JSONValue) {
        let o = (try? JSON.parseObject(payload)) ?? [:]
        let transaction = o["transaction"] ?? .null
        do throws(BridgeRequestError) {
            if changing.contains(name) {
                let change = try PlanChange.read(o, now: now, maxAge: maxAge)
                if name == "plan/remove" { return (.success(.planRemove(name: try planName(o), change: change)), transaction) }
                return (.success(.planApply(try PlanApply.read(o, change: change, now: now, minCodeLength: minCodeLength))), transaction)
            }
            return (.success(try read(name, o)), transaction)
        } catch {
            return (.failure(error), transaction)
        }
    }

    private static func read(_ name: String, _ o: JSONObject) throws(BridgeRequestError) -> BridgeRequest {
        switch name {
        case "locks": return .locks(lock: o["lock"] == nil ? nil : try lock(o))
        case "credentials": return .credentials(lock: try lock(o))
        case "remove": return .remove(lock: try lock(o))
        case "health": return .health
        case "history":
            guard let text = o["lock"]?.stringValue, let lock = LockID(text) else {
                throw BridgeRequestError(code: "invalid_field", message: "history needs \"lock\": a lock id")
            }
            var since: Date?
            if let text = o["since"]?.stringValue {
                guard let date = RFC3339.parse(text) else { throw BridgeRequestError(code: "invalid_field", message: "since must be an RFC 3339 time") }
                since = date
            }
            let limit = o["limit"]?.intValue ?? 100
            guard historyLimits.contains(Int(clamping: limit)) else {
                throw BridgeRequestError(code: "invalid_field", message: "limit must be within 1…10000")
            }
            return .history(lock: lock, since: since, limit: Int(limit))
        case "plan/status": return .planStatus(name: o["name"] == nil ? nil : try planName(o))
        case "plan/list": return .planList
        default:
            throw BridgeRequestError(code: "unknown_request", message: "unknown request \"\(name)\"; known: \(names.joined(separator: ", "))")
        }
    }

    static func planName(_ o: JSONObject) throws(BridgeRequestError) -> String {
        guard let name = o["name"]?.stringValue, LockID.isValid(name) else {
            throw BridgeRequestError(code: "invalid_field", message: "\"name\" must be a plan name (a-z, 0-9, _ and -)")
        }
        return name
    }

    private static func lock(_ o: JSONObject) throws(BridgeRequestError) -> LockID {
        guard let text = o["lock"]?.stringValue, let id = LockID(text) else {
            throw BridgeRequestError(code: "invalid_field", message: "\"lock\" must be a lock id")
        }
        return id
    }
}
