public import Foundation
public import JSON

// Typed readers for wire payloads: enums by their raw value and RFC 3339 times. Like the
// accessors in the JSON module, an error names the field and never echoes its value.
extension JSONObject {
    /// The enum case whose raw value is the string at `key`, or nil when absent or `null`.
    public func optionalCase<E: RawRepresentable>(_ key: String, _: E.Type = E.self) throws(JSONError) -> E? where E.RawValue == String {
        guard let text = try optionalString(key) else { return nil }
        guard let value = E(rawValue: text) else {
            throw JSONError(.outOfRange, field: key, detail: "not one of the values this field takes")
        }
        return value
    }

    /// The enum case at `key`, which must be present.
    public func requiredCase<E: RawRepresentable>(_ key: String, _: E.Type = E.self) throws(JSONError) -> E where E.RawValue == String {
        guard let value: E = try optionalCase(key) else { throw JSONError(.missingField, field: key, detail: "required field is missing") }
        return value
    }

    /// The RFC 3339 time at `key`, or nil when absent or `null`.
    public func optionalTime(_ key: String) throws(JSONError) -> Date? {
        guard let text = try optionalString(key) else { return nil }
        guard let date = RFC3339.parse(text) else { throw JSONError(.wrongType, field: key, detail: "expected an RFC 3339 time") }
        return date
    }

    /// The RFC 3339 time at `key`, which must be present.
    public func time(_ key: String) throws(JSONError) -> Date {
        guard let date = try optionalTime(key) else { throw JSONError(.missingField, field: key, detail: "required field is missing") }
        return date
    }

    /// Each element of the array at `key` read as an object by `read`; an absent array is empty.
    public func objects<T>(_ key: String, _ read: (JSONObject) throws(JSONError) -> T) throws(JSONError) -> [T] {
        var out: [T] = []
        for element in try optionalArray(key) ?? [] {
            guard let o = element.objectValue else { throw JSONError(.wrongType, field: key, detail: "expected an array of objects") }
            out.append(try read(o))
        }
        return out
    }
}

extension JSONValue {
    /// A time as the wire writes it, or `null`.
    public static func time(_ date: Date?) -> JSONValue { date.map { .string(RFC3339.format($0)) } ?? .null }
}
