// Typed access for decoding commands. Required accessors fail with `.missingField` when
// the key is absent or `null`; optional ones return `nil` then. A present value of
// another type always fails with `.wrongType`, naming the field but never its value.

extension JSONObject {
    /// The string at `key`.
    public func string(_ key: String) throws(JSONError) -> String {
        try required(key, optionalString(key))
    }

    /// The string at `key`, or `nil` when absent or `null`.
    public func optionalString(_ key: String) throws(JSONError) -> String? {
        try present(key, expected: "a string") { $0.stringValue }
    }

    /// The integer at `key`. `3.0` is accepted as `3`; `3.5` is a wrong type.
    public func int(_ key: String) throws(JSONError) -> Int {
        try required(key, optionalInt(key))
    }

    /// The integer at `key`, which must lie in `range`.
    public func int(_ key: String, in range: ClosedRange<Int>) throws(JSONError) -> Int {
        let value = try int(key)
        guard range.contains(value) else {
            throw JSONError(
                .outOfRange, field: key,
                detail: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// The integer at `key`, or `nil` when absent or `null`. See ``int(_:)``.
    public func optionalInt(_ key: String) throws(JSONError) -> Int? {
        // Spelled out: in `isNumber ? value : nil` the nil would become JSONValue.null.
        let number = try present(key, expected: "an integer") { $0.isNumber ? .some($0) : .none }
        guard let value = number else { return nil }
        // Int is 64 bits on every platform LockBridge builds for; the check keeps that honest.
        guard let integer = value.intValue.flatMap({ Int(exactly: $0) }) else {
            if case .double(let number) = value, number.rounded(.towardZero) != number {
                throw JSONError.wrongType(key, expected: "an integer", got: value)
            }
            throw JSONError(.outOfRange, field: key, detail: "integer does not fit in 64 bits")
        }
        return integer
    }

    /// The Boolean at `key`.
    public func bool(_ key: String) throws(JSONError) -> Bool {
        try required(key, optionalBool(key))
    }

    /// The Boolean at `key`, or `nil` when absent or `null`.
    public func optionalBool(_ key: String) throws(JSONError) -> Bool? {
        try present(key, expected: "a boolean") { $0.boolValue }
    }

    /// The number at `key` as a `Double`; integers convert.
    public func double(_ key: String) throws(JSONError) -> Double {
        try required(key, optionalDouble(key))
    }

    /// The number at `key` as a `Double`, or `nil` when absent or `null`.
    public func optionalDouble(_ key: String) throws(JSONError) -> Double? {
        try present(key, expected: "a number") { $0.doubleValue }
    }

    /// The object at `key`.
    public func object(_ key: String) throws(JSONError) -> JSONObject {
        try required(key, optionalObject(key))
    }

    /// The object at `key`, or `nil` when absent or `null`.
    public func optionalObject(_ key: String) throws(JSONError) -> JSONObject? {
        try present(key, expected: "an object") { $0.objectValue }
    }

    /// The array at `key`.
    public func array(_ key: String) throws(JSONError) -> [JSONValue] {
        try required(key, optionalArray(key))
    }

    /// The array at `key`, or `nil` when absent or `null`.
    public func optionalArray(_ key: String) throws(JSONError) -> [JSONValue]? {
        try present(key, expected: "an array") { $0.arrayValue }
    }

    /// Converts the value at `key` with `convert`, treating absent and `null` as `nil`
    /// and a failed conversion as a wrong type.
    private func present<T>(
        _ key: String, expected: String, _ convert: (JSONValue) -> T?
    ) throws(JSONError) -> T? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let converted = convert(value) else {
            throw JSONError.wrongType(key, expected: expected, got: value)
        }
        return converted
    }

    private func required<T>(_ key: String, _ value: T?) throws(JSONError) -> T {
        guard let value else { throw JSONError.missingField(key) }
        return value
    }
}

extension JSONValue {
    var isNumber: Bool {
        switch self {
        case .int, .double: true
        default: false
        }
    }
}
