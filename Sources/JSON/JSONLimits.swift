/// Bounds applied before and while parsing, so a hostile payload costs little.
///
/// The fields are constants so that the initializer's range checks cannot be bypassed.
public struct JSONLimits: Sendable, Equatable {
    /// The largest accepted input, in bytes. Checked before any parsing.
    public let maxBytes: Int
    /// The deepest accepted nesting of arrays and objects: a scalar has depth 0,
    /// `[1]` has depth 1 and `{"a":[1]}` has depth 2.
    public let maxDepth: Int

    /// Creates limits; the defaults suit MQTT command payloads.
    public init(maxBytes: Int = 64 * 1024, maxDepth: Int = 16) {
        // json-c takes the input length as an int, and one byte goes to the terminating NUL.
        precondition((0..<Int(Int32.max)).contains(maxBytes), "maxBytes must be in 0..<Int32.max")
        // json-c stores its depth in an int and needs one slot for the top-level value.
        precondition((0..<Int(Int32.max)).contains(maxDepth), "maxDepth must be in 0..<Int32.max")
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// 64 KiB and 16 levels.
    public static let `default` = JSONLimits()
}
