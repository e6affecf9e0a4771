/// Bounds applied before and while parsing, so a hostile payload costs little.
public struct JSONLimits: Sendable, Equatable {
    /// The largest accepted input, in bytes. Checked before any parsing.
    public var maxBytes: Int
    /// The deepest accepted nesting of arrays and objects: a scalar has depth 0,
    /// `[1]` has depth 1 and `{"a":[1]}` has depth 2.
    public var maxDepth: Int

    /// Creates limits; the defaults suit MQTT command payloads.
    public init(maxBytes: Int = 64 * 1024, maxDepth: Int = 16) {
        precondition(maxBytes >= 0, "maxBytes must not be negative")
        // json-c stores its depth in an int and needs one slot for the top-level value.
        precondition((0..<Int(Int32.max)).contains(maxDepth), "maxDepth must be in 0..<Int32.max")
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// 64 KiB and 16 levels.
    public static let `default` = JSONLimits()
}
