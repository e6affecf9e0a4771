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
    // Position of each key in `entries`; keeps lookups cheap in large payloads.
    private var positions: [String: Int] = [:]

    /// Creates an empty object.
    public init() {}

    /// The number of members.
    public var count: Int { entries.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys in insertion order.
    public var keys: [String] { entries.map(\.key) }

    /// The value for `key`, or `nil` when absent. Assigning `nil` removes the key;
    /// assign `.null` to store a JSON `null`.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { entries[$0].value } }
        set {
            if let newValue {
                if let position = positions[key] {
                    entries[position].value = newValue
                } else {
                    positions[key] = entries.count
                    entries.append((key, newValue))
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key` and returns its value, if it was present.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = positions.removeValue(forKey: key) else { return nil }
        let removed = entries.remove(at: position)
        for index in position..<entries.count {
            positions[entries[index].key] = index
        }
        return removed.value
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
