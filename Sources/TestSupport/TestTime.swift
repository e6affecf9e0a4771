import Foundation

/// How much longer the tests may wait under a sanitizer. `make test-tsan` and `make test-asan`
/// set `LOCKBRIDGE_TEST_TIME_SCALE` (ThreadSanitizer makes every process five to fifteen times
/// slower); a plain `make test` leaves it at 1, so every deadline there is the one written.
public enum TestTime {
    public static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["LOCKBRIDGE_TEST_TIME_SCALE"], let value = Double(text), value >= 1 else { return 1 }
        return value
    }()

    /// A deadline of `seconds` in plain runs.
    public static func scaled(_ seconds: Double) -> Double { seconds * scale }

    /// Whole minutes for a test's time limit of `minutes` in plain runs.
    public static func minutes(_ minutes: Int) -> Int { Int((Double(minutes) * scale).rounded(.up)) }
}
