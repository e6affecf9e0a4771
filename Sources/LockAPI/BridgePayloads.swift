public import Foundation
public import JSON

/// `<base>/bridge/info`, retained (spec section 2).
public struct BridgeInfo: Sendable, Equatable {
    public var version: String
    public var baseTopic: String
    public var locks: [String]
    public var startedAt: Date
    /// Several bridges (spec 8): each instance and the shards it holds.
    public var instances: [String: [Int]]?

    public init(version: String, baseTopic: String, locks: [String], startedAt: Date) {
        self.version = version
        self.baseTopic = baseTopic
        self.locks = locks
        self.startedAt = startedAt
    }

    public var object: JSONObject {
        var o: JSONObject = [
            "version": .string(version), "base_topic": .string(baseTopic), "locks": .array(locks.map(JSONValue.string)), "started_at": .time(startedAt),
        ]
        if let instances {
            var list: JSONObject = [:]
            for (name, shards) in instances { list[name] = .object(["shards": .array(shards.sorted().map { .int(Int64($0)) })]) }
            o["instances"] = .object(list)
        }
        return o
    }

    public var payload: [UInt8] { (try? object.serializedBytes()) ?? [] }

    public init(payload: [UInt8]) throws(JSONError) {
        let o = try JSON.parseObject(payload)
        version = try o.string("version")
        baseTopic = try o.string("base_topic")
        var locks: [String] = []
        for value in try o.array("locks") {
            guard let id = value.stringValue else { throw JSONError(.wrongType, field: "locks", detail: "expected an array of lock ids") }
            locks.append(id)
        }
        self.locks = locks
        startedAt = try o.time("started_at")
    }
}

/// The answer to a bridge request, on `<base>/bridge/response/<name>` (spec section 2):
/// `{"status":"ok"|"error", "data":…, "error":{"code","message"}|null, "transaction":…}`.
public struct BridgeResponse: Sendable, Equatable {
    public var data: JSONValue
    public var error: BridgeRequestError?
    /// The request's own `transaction`, echoed.
    public var transaction: JSONValue

    public init(data: JSONValue, transaction: JSONValue) {
        self.data = data
        error = nil
        self.transaction = transaction
    }

    public init(error: BridgeRequestError, transaction: JSONValue) {
        data = .null
        self.error = error
        self.transaction = transaction
    }

    public var object: JSONObject {
        [
            "status": .string(error == nil ? "ok" : "error"), "data": data,
            "error": error.map { .object(["code": .string($0.code), "message": .string($0.message)]) } ?? .null,
            "transaction": transaction,
        ]
    }

    public var payload: [UInt8] { (try? object.serializedBytes()) ?? [] }

    /// Reads a response; `limits` bound what a reader accepts (a fleet's `locks` runs to megabytes).
    public init(payload: [UInt8], limits: JSONLimits = JSONLimits(maxBytes: 64 << 20, maxDepth: 32)) throws(JSONError) {
        let o = try JSON.parseObject(payload, limits: limits)
        data = o["data"] ?? .null
        transaction = o["transaction"] ?? .null
        error = try BridgeRequestError.read(status: o)
    }
}

/// Why a bridge request was refused: a stable code and a sentence a person can act on.
public struct BridgeRequestError: Error, Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The error of an answer that has `"status":"ok"|"error"` and `"error":{"code","message"}`
    /// (results and responses alike); `nil` for `ok`.
    static func read(status o: JSONObject) throws(JSONError) -> BridgeRequestError? {
        switch try o.string("status") {
        case "ok": return nil
        case "error":
            let e = try o.object("error")
            return BridgeRequestError(code: try e.string("code"), message: try e.string("message"))
        default: throw JSONError(.outOfRange, field: "status", detail: "expected ok or error")
        }
    }
}
