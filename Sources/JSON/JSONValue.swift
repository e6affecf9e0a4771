/// A JSON value as Swift sees it: what ``JSON`` parses and what ``serialized()`` writes.
///
/// Integers and numbers with a fraction or exponent stay apart (`1` is `.int(1)`, `1.0`
/// and `1e0` are `.double(1)`), because json-c keeps them apart and lock commands care.
/// `.double` may hold NaN or an infinity, but such a value cannot be serialized: see
/// ``serialized()``.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or exponent.
    case int(Int64)
    /// A number written with a fraction or exponent.
    case double(Double)
    /// A string, any Unicode including U+0000.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, in insertion order.
    case object(JSONObject)
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if this is an integer or a `Double` with no fraction that fits in `Int64`.
    ///
    /// `2.0` counts as `2` because JSON itself does not tell the two apart.
    public var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): Int64(exactly: value)
        default: nil
        }
    }

    /// The number as a `Double`, if this is a number; integers convert (rounding above 2^53).
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The Boolean, if this is a Boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The kind of value with an article, for error messages; never the value itself.
    var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number with a fraction or exponent"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
