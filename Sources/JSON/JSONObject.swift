/// A JSON object that keeps its keys in insertion order, so serialized payloads are
/// byte-for-byte deterministic and golden tests can compare strings.
///
/// Setting an existing key replaces its value in place; the key keeps its position.
/// Parsing follows the same rule, so with duplicate keys the last value wins at the
/// first key's position (as json-c does).
///
/// Equality ignores order, as RFC 8259 treats objects as unordered: two objects are equal
/// when they hold the same keys with equal values. Compare ``serialized()`` output when
/// order matters.
public struct JSONObject: Sendable {
    /// One member of the object.
    public typealias Element = (key: String, value: JSONValue)

    private var entries: [Element] = []
    // Position of each key in `entries`, built only once the object is large: for the small
    // objects of most payloads a scan is cheaper than hashing every key (hashing was the largest
    // cost of building a payload in the bridge's profile).
    private var positions: [String: Int]?

    /// Objects with more members than this get a key index.
    static let indexThreshold = 24

    /// Creates an empty object.
    public init() {}

    /// The number of members.
    public var count: Int { entries.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys in insertion order.
    public var keys: [String] { entries.map(\.key) }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return entries.firstIndex { $0.key == key }
    }

    /// The value for `key`, or `nil` when absent. Assigning `nil` removes the key;
    /// assign `.null` to store a JSON `null`.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let newValue {
                if let position = position(of: key) {
                    entries[position].value = newValue
                } else {
                    entries.append((key, newValue))
                    if positions != nil {
                        positions![key] = entries.count - 1
                    } else if entries.count > Self.indexThreshold {
                        reindex()
                    }
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key` and returns its value, if it was present.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let removed = entries.remove(at: position)
        if positions != nil { reindex() }
        return removed.value
    }

    private mutating func reindex() {
        guard entries.count > Self.indexThreshold else {
            positions = nil
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (offset, entry) in entries.enumerated() { index[entry.key] = offset }
        positions = index
    }

    /// Reserves room for `count` members (parsers know the size up front).
    public mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    /// Appends a member whose key the caller knows is not there yet (json-c's parser has
    /// merged duplicates already), without looking it up first.
    mutating func appendNew(_ key: String, _ value: JSONValue) {
        entries.append((key, value))
        if positions != nil {
            positions![key] = entries.count - 1
        } else if entries.count > Self.indexThreshold {
            reindex()
        }
    }
}

extension JSONObject: Sequence {
    /// Iterates members in insertion order.
    public func makeIterator() -> IndexingIterator<[Element]> {
        entries.makeIterator()
    }

    /// The number of members.
    public var underestimatedCount: Int { entries.count }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Keys keep the literal's order; a repeated key keeps its first position and last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }
}

extension JSONObject: Hashable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==: XOR of per-member hashes (keys are unique).
        var combined = 0
        for (key, value) in entries {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            combined ^= member.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }
}
