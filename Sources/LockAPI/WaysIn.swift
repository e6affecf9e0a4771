public import JSON
public import LockCore

/// The six ways in and whether each works right now (`access` in the snapshot and in `state`).
/// Six stored values, not a dictionary: the bridge keeps one per lock.
public struct WaysIn: Sendable, Equatable {
    public var remote = AccessStatus.usable
    public var keypad = AccessStatus.usable
    public var blePhone = AccessStatus.usable
    public var fob = AccessStatus.usable
    public var mechanicalKey = AccessStatus.usable
    public var override = AccessStatus.usable

    public init() {}

    /// Every way blocked for the same reason.
    public init(allBlocked reason: AccessBlockReason) {
        for way in AccessWay.allCases { self[way] = .blocked(reason) }
    }

    /// As the lock computes it.
    public init(_ report: AccessReport) {
        for way in AccessWay.allCases { self[way] = report[way] }
    }

    public subscript(way: AccessWay) -> AccessStatus {
        get {
            switch way {
            case .remote: remote
            case .keypad: keypad
            case .blePhone: blePhone
            case .fob: fob
            case .mechanicalKey: mechanicalKey
            case .override: override
            }
        }
        set {
            switch way {
            case .remote: remote = newValue
            case .keypad: keypad = newValue
            case .blePhone: blePhone = newValue
            case .fob: fob = newValue
            case .mechanicalKey: mechanicalKey = newValue
            case .override: override = newValue
            }
        }
    }

    /// How many ways work.
    public var usableCount: Int { AccessWay.allCases.count { self[$0].usable } }
}

extension WaysIn {
    /// `{"remote":{"usable":true},"keypad":{"usable":false,"reason":"no_credentials"},…}`
    public var object: JSONObject {
        var o = JSONObject()
        for way in AccessWay.allCases {
            let status = self[way]
            var entry: JSONObject = ["usable": .bool(status.usable)]
            if let reason = status.reason { entry["reason"] = .string(reason.rawValue) }
            o[way.rawValue] = .object(entry)
        }
        return o
    }

    /// Reads every way; each must be present.
    public init(json o: JSONObject) throws(JSONError) {
        for way in AccessWay.allCases {
            let entry = try o.object(way.rawValue)
            let usable = try entry.bool("usable")
            let reason: AccessBlockReason? = try entry.optionalCase("reason")
            self[way] = usable ? .usable : .blocked(reason ?? .notFitted)
        }
    }
}
