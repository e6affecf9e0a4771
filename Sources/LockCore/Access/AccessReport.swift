/// The six ways in that the spec's `state.access` reports.
public enum AccessWay: String, Sendable, Codable, CodingKeyRepresentable, CaseIterable {
    case remote, keypad
    case blePhone = "ble_phone"
    case fob
    case mechanicalKey = "mechanical_key"
    case override
}

/// Why a way in does not work right now (`lock_offline` is the bridge's to add).
public enum AccessBlockReason: String, Sendable, Codable, CaseIterable {
    case batteryDepleted = "battery_depleted"
    case wifiDown = "wifi_down"
    case bleDown = "ble_down"
    case lockOffline = "lock_offline"
    case jammed, lockout
    case modeForbids = "mode_forbids"
    case noCredentials = "no_credentials"
    /// Credentials exist, but none is usable now (spec 7.1).
    case outsideSchedule = "outside_schedule"
    case notFitted = "not_fitted"
    /// The firmware does not answer (a liveness probe or a command timed out while heartbeats
    /// went on): the bridge's to add, like `lock_offline`.
    case unresponsive
}

/// Whether one way in works right now, and if not, why.
public struct AccessStatus: Sendable, Codable, Equatable {
    /// Whether it works.
    public var usable: Bool
    /// Why not, when it does not.
    public var reason: AccessBlockReason?

    /// A way that works.
    public static let usable = AccessStatus(usable: true, reason: nil)
    /// A way blocked for `reason`.
    public static func blocked(_ reason: AccessBlockReason) -> AccessStatus { AccessStatus(usable: false, reason: reason) }
}

/// Every way in and its status: the answer to "how can someone get in right now?".
public struct AccessReport: Sendable, Codable, Equatable {
    /// Status per way; all six are always present.
    public var ways: [AccessWay: AccessStatus]

    /// The status of one way.
    public subscript(way: AccessWay) -> AccessStatus { ways[way] ?? .blocked(.notFitted) }

    /// How many ways work.
    public var usableCount: Int { ways.values.count { $0.usable } }
}
