/// One coverage-guided fuzz target (`make fuzz`, docs/reliability.md): bytes in, and a check of
/// the target's own invariants. A broken invariant is a crash, so libFuzzer keeps the input;
/// the same inputs, replayed, are regression tests (Tests/FuzzTargetTests).
public struct FuzzTarget: Sendable {
    public let name: String
    /// What the target feeds and what it checks, for `lockbridge-fuzz --list`.
    public let summary: String
    public let run: @Sendable ([UInt8]) -> Void

    /// Every target, by the name `FUZZ_TARGET` and the corpus directories use.
    public static let all: [FuzzTarget] = [.json, .command, .deviceLink, .bridgeRequest, .config]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// A broken invariant: stops the process with the target's name and what broke, never the input
/// (it may hold a code); libFuzzer has saved the input as a crash file by then.
func invariant(_ holds: @autoclosure () -> Bool, _ target: String, _ what: @autoclosure () -> String) {
    if !holds() { fatalError("fuzz target \(target): \(what())") }
}
