/// Every fault code of the spec (section 3.3); the lock raises the device ones itself.
public enum FaultCode: String, Sendable, Codable, CaseIterable, Comparable {
    case batteryLow = "battery_low"
    case batteryCritical = "battery_critical"
    case batteryDepleted = "battery_depleted"
    case wifiDown = "wifi_down"
    case bleDown = "ble_down"
    case lockOffline = "lock_offline"
    case jammed
    case firmwareCrash = "firmware_crash"
    case unresponsive
    case tamper
    case doorForcedOpen = "door_forced_open"
    case doorAjar = "door_ajar"
    case wrongCodeLimit = "wrong_code_limit"
    case codeRotationDue = "code_rotation_due"
    case overrideUsed = "override_used"
    case lockoutRisk = "lockout_risk"

    /// How urgent the fault is.
    public var severity: FaultSeverity {
        switch self {
        case .bleDown, .codeRotationDue, .overrideUsed, .firmwareCrash: .info
        case .batteryLow, .wifiDown, .lockOffline, .unresponsive, .doorAjar, .wrongCodeLimit, .lockoutRisk: .warning
        case .batteryCritical, .batteryDepleted, .jammed, .tamper, .doorForcedOpen: .critical
        }
    }

    /// Orders by raw value, for stable listings.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Fault severity as the spec names it.
public enum FaultSeverity: String, Sendable, Codable, CaseIterable {
    case info, warning, critical
}
