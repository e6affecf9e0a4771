/// Where the bolt is, as the spec's `state.lock` reports it (Matter `LockState`, extended).
public enum LockState: String, Sendable, Codable, CaseIterable {
    case locked, unlocked, locking, unlocking
    case notFullyLocked = "not_fully_locked"
    case jammed, open, opening, unknown

    /// Whether a motor lock move would be a lock (`true`) or an unlock when the bolt is here.
    var isSecured: Bool { self == .locked }
}

/// The door sensor reading, as the spec's `state.door` reports it.
public enum DoorState: String, Sendable, Codable, CaseIterable {
    case open, closed, ajar
    case forcedOpen = "forced_open"
    case unknown

    /// Whether the door stands open in any way (open, ajar or forced).
    public var isOpen: Bool { self == .open || self == .ajar || self == .forcedOpen }
}

/// The Matter operating mode of the lock (spec section 4).
public enum LockMode: String, Sendable, Codable, CaseIterable {
    case normal, vacation, privacy
    case noRemote = "no_remote"
    case passage
}
