import CJSONC

/// Owns the root of a json-c object tree and drops its reference exactly once.
///
/// json-c objects are reference counted without atomics, so a tree never leaves the
/// function that made it and this type is deliberately not `Sendable`.
struct JSONCTree: ~Copyable {
    /// The root, or `nil` for a top-level `null` (json-c's null is a NULL pointer).
    let root: OpaquePointer?

    /// Takes over the caller's reference to `root`.
    init(owning root: OpaquePointer?) { self.root = root }

    // json_object_put(NULL) is a no-op, so a null root needs no special case.
    deinit { json_object_put(root) }

    /// The compact text json-c writes for the tree, with `/` left unescaped.
    func serializedBytes() -> [UInt8] {
        var length = 0
        guard
            let text = json_object_to_json_string_length(
                root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &length)
        else {
            fatalError("json-c could not allocate the serialized text")
        }
        // The text belongs to the root object, so copy it before the root goes away.
        return text.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }
}
