public import Foundation

/// A keypad PIN slot. The code itself is only a salted hash.
public struct PinSlot: Sendable, Codable, Equatable {
    /// Slot number, 1…250.
    public var slot: Int
    /// Who the code is for.
    public var name: String
    /// Whether the code opens the lock.
    public var enabled: Bool
    /// After this moment the code is refused as `expired`.
    public var validUntil: Date?
    /// When the code was set (for rotation).
    public var setAt: Date
    /// When the code last opened the lock.
    public var lastUsedAt: Date?
    /// The salted hash.
    var hash: CodeHash
    /// Type, windows and `valid_from` (spec 7.1); nil is an unrestricted code (as before them).
    public var rules: AccessRules?
    /// A `one_time` code that was used (persisted before the bolt moves).
    public var usedUp: Bool?
    /// The access plan that owns the slot (spec 7.2), if any.
    public var plan: String?

    init(slot: Int, name: String, enabled: Bool, validUntil: Date?, setAt: Date, hash: CodeHash, rules: AccessRules? = nil, plan: String? = nil) {
        (self.slot, self.name, self.enabled, self.validUntil, self.setAt, self.hash) = (slot, name, enabled, validUntil, setAt, hash)
        (self.rules, self.plan) = (rules, plan)
    }

    public var use: CredentialUse { rules?.type ?? .unrestricted }
    public var isUsedUp: Bool { usedUp == true }

    /// Why the code does not open at `now` (lock time, in the lock's time zone), or nil when it does.
    public func refusal(at time: LockTime) -> AccessFailureReason? {
        guard enabled, !isUsedUp else { return .disabled }
        return AccessRules.timeRefusal(rules, validUntil: validUntil, at: time)
    }

    /// Whether the code opens at `now`.
    public func isUsable(at time: LockTime) -> Bool { refusal(at: time) == nil }
}

/// An enrolled key fob.
public struct FobSlot: Sendable, Codable, Equatable {
    /// Slot number, 1…250.
    public var slot: Int
    /// Whose fob it is.
    public var name: String
    /// The fob's identifier as read by the reader. Not published: it is enough to clone the fob.
    var fobID: String
    /// When it was enrolled.
    public var enrolledAt: Date
    /// When it last opened the lock.
    public var lastUsedAt: Date?
    /// Type (`unrestricted` or `scheduled`), windows and `valid_from`; nil is unrestricted.
    public var rules: AccessRules?
    public var validUntil: Date?

    /// Why the fob does not open at `now`, or nil when it does.
    public func refusal(at time: LockTime) -> AccessFailureReason? {
        AccessRules.timeRefusal(rules, validUntil: validUntil, at: time)
    }
}

/// A phone paired for Bluetooth access.
public struct Phone: Sendable, Codable, Equatable {
    /// The phone's identifier (e.g. `anna-pixel`).
    public var id: String
    /// Whose phone it is.
    public var name: String
    /// When it was added.
    public var addedAt: Date
    /// When it last operated the lock.
    public var lastUsedAt: Date?
    /// Type (`unrestricted` or `scheduled`), windows and `valid_from`; nil is unrestricted.
    public var rules: AccessRules?
    public var validUntil: Date?

    /// Why the phone does not operate the lock at `now`, or nil when it does.
    public func refusal(at time: LockTime) -> AccessFailureReason? {
        AccessRules.timeRefusal(rules, validUntil: validUntil, at: time)
    }
}

/// Every credential a lock holds. Metadata is public; secrets stay inside LockCore.
public struct Credentials: Sendable, Codable, Equatable {
    /// PIN slots, sorted by slot.
    public internal(set) var pins: [PinSlot] = []
    /// Fobs, sorted by slot.
    public internal(set) var fobs: [FobSlot] = []
    /// Paired phones, in the order added.
    public internal(set) var phones: [Phone] = []
    /// The override code's hash, if one is set.
    var overrideCode: CodeHash?
    /// Whether the mechanical key cylinder is fitted.
    public internal(set) var mechanicalKeyFitted = true
    /// Whether the hidden override keyhole is fitted.
    public internal(set) var overrideKeyFitted = true

    /// Creates an empty set with both key cylinders fitted.
    public init(mechanicalKeyFitted: Bool = true, overrideKeyFitted: Bool = true) {
        self.mechanicalKeyFitted = mechanicalKeyFitted
        self.overrideKeyFitted = overrideKeyFitted
    }

    /// Whether an override code is set.
    public var overrideCodeSet: Bool { overrideCode != nil }

    /// Valid PIN slots numbers.
    public static let slotRange = 1...250
    /// Longest name or phone id accepted.
    public static let maxNameLength = 64

    /// Index of the enabled-or-not PIN whose hash equals `hash`.
    func pinIndex(matching hash: CodeHash) -> Int? {
        // Compare against every slot so the time taken does not reveal which slot matched.
        var found: Int?
        for index in pins.indices where pins[index].hash == hash && found == nil { found = index }
        return found
    }

    func pinIndex(slot: Int) -> Int? { pins.firstIndex { $0.slot == slot } }
    func fobIndex(slot: Int) -> Int? { fobs.firstIndex { $0.slot == slot } }
    func fobIndex(fobID: String) -> Int? { fobs.firstIndex { $0.fobID == fobID } }
    func phoneIndex(id: String) -> Int? { phones.firstIndex { $0.id == id } }

    /// Whether any PIN but a duress code is usable at `now` (duress codes are not counted).
    func hasUsablePin(at time: LockTime) -> Bool {
        pins.contains { $0.use != .duress && $0.isUsable(at: time) }
    }

    /// Whether each credential (codes, fobs, phones, in order) is usable at `now`.
    public func usability(at time: LockTime) -> [Bool] {
        pins.map { $0.isUsable(at: time) } + fobs.map { $0.refusal(at: time) == nil } + phones.map { $0.refusal(at: time) == nil }
    }

    /// Whether any credential's usability depends on the time (windows, validity), so the
    /// lock's `access` block can change at a window boundary with nothing else happening.
    public var dependsOnTime: Bool {
        pins.contains { $0.rules?.dependsOnTime == true || $0.validUntil != nil }
            || fobs.contains { $0.rules?.dependsOnTime == true || $0.validUntil != nil }
            || phones.contains { $0.rules?.dependsOnTime == true || $0.validUntil != nil }
    }

    /// Whether `hash` is the override code.
    func isOverride(_ hash: CodeHash) -> Bool { overrideCode.map { $0 == hash } ?? false }

    /// Lowest free fob slot.
    func freeFobSlot() -> Int? { Self.slotRange.first { fobIndex(slot: $0) == nil } }

    mutating func insert(_ pin: PinSlot) {
        pins.removeAll { $0.slot == pin.slot }
        pins.append(pin)
        pins.sort { $0.slot < $1.slot }
    }

    mutating func insert(_ fob: FobSlot) {
        fobs.append(fob)
        fobs.sort { $0.slot < $1.slot }
    }
}
