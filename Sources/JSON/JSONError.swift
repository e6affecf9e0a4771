/// Why a JSON payload was rejected, or why a value could not be serialized or decoded.
///
/// Messages name byte offsets and field names but never the input's values: payloads
/// may carry PINs, and errors end up in logs and in replies to clients.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason. Its raw value is safe to put on the wire.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The input is not well-formed JSON.
        case syntax
        /// The input is empty or only whitespace.
        case emptyInput
        /// The input is larger than ``JSONLimits/maxBytes``.
        case tooLarge
        /// Arrays and objects nest deeper than ``JSONLimits/maxDepth``.
        case tooDeep
        /// Something other than whitespace follows the top-level value.
        case trailingData
        /// The input is not valid UTF-8.
        case invalidUTF8
        /// A number is NaN or infinite, or overflows a `Double`.
        case nonFinite
        /// Syntax that json-c accepts but RFC 8259 does not, such as single quotes or `NaN`.
        case notStrict
        /// Valid JSON that this module cannot represent faithfully (a key containing U+0000).
        case unsupported
        /// The top-level value is not an object where one was required.
        case notAnObject
        /// A required field is absent (or `null`).
        case missingField
        /// A field holds a value of the wrong type.
        case wrongType
        /// A number does not fit the range it must fit.
        case outOfRange
    }

    /// The stable reason.
    public let code: Code
    /// The byte offset into the input where the problem was found, when it is known.
    public let offset: Int?
    /// The object key the problem concerns, when there is one.
    public let field: String?
    /// What went wrong, without the input's values.
    public let detail: String

    /// Creates an error. Prefer the static helpers, which keep messages consistent.
    public init(_ code: Code, offset: Int? = nil, field: String? = nil, detail: String) {
        self.code = code
        self.offset = offset
        self.field = field
        self.detail = detail
    }

    /// A sentence a person can act on, e.g. `field "slot": expected an integer, got a string`.
    public var description: String {
        var text = ""
        if let field { text += "field \"\(field)\": " }
        text += detail
        if let offset { text += " (at byte \(offset))" }
        return text
    }
}

extension JSONError {
    static func missingField(_ field: String) -> JSONError {
        JSONError(.missingField, field: field, detail: "required field is missing")
    }

    static func wrongType(_ field: String, expected: String, got value: JSONValue) -> JSONError {
        JSONError(.wrongType, field: field, detail: "expected \(expected), got \(value.typeDescription)")
    }
}
