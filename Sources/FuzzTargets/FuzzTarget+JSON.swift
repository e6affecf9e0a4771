import JSON

extension FuzzTarget {
    /// The strict JSON parser: anything it accepts serializes deterministically and parses back to
    /// an equal value; json-c's lax forms (single quotes, NaN, Infinity) never get through.
    static let json = FuzzTarget(name: "json", summary: "strict JSON parser: parse(serialize(x)) == x, serialization stable, no lax syntax") { bytes in
        guard let value = try? JSON.parse(bytes) else { return }
        guard let text = try? value.serialized() else {
            invariant(false, "json", "an accepted value does not serialize")
            return
        }
        let again = try? JSON.parse(Array(text.utf8))
        invariant(again == value, "json", "parse(serialize(x)) != x")
        invariant((try? again?.serialized()) == text, "json", "serialization is not stable")
        let lax = ["NaN", "Infinity"]
        invariant(!lax.contains { text.contains($0) && !text.contains("\"") }, "json", "a non-finite number was accepted")
    }
}
