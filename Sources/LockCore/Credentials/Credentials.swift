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

    /// Whether the code is usable at `now` (enabled and not expired).
    public func isValid(at now: Date) -> Bool {
        guard enabled else { return false }
        if let validUntil, now >= validUntil { return false }
        return true
    }
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

    /// Whether any PIN is usable at `now`.
    func hasValidPin(at now: Date) -> Bool { pins.contains { $0.isValid(at: now) } }

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
