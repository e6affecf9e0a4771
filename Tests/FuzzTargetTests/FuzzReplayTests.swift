import Foundation
import Testing

@testable import FuzzTargets

/// Every checked-in fuzz input (the seeds and every crash found, docs/reliability.md) replayed
/// through its target, whose invariants stop the process if they break.
@Suite struct FuzzReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz").path

    @Test(arguments: FuzzTarget.all.map(\.name))
    func everySeedAndRegressionHoldsTheInvariants(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let files = FuzzCorpus.files(at: "\(Self.root)/corpus/\(name)") + FuzzCorpus.files(at: "\(Self.root)/regressions/\(name)")
        #expect(files.count >= 3, "the \(name) target has a seed corpus")
        for file in files { target.run(file.bytes) }
    }

    @Test func theCommandTargetFindsTheCodesItMustNotEcho() {
        let codes = FuzzTarget.codes(in: Array(#"{"command":"set_code","code":"482915","auth_code":"583920","name":"1234"}"#.utf8))
        #expect(codes == ["482915", "583920"])
        #expect(FuzzTarget.codes(in: Array("UNLOCK".utf8)).isEmpty)
    }

    @Test func everyTargetHasAUniqueName() {
        #expect(Set(FuzzTarget.all.map(\.name)).count == FuzzTarget.all.count)
        #expect(FuzzTarget.named("nonsense") == nil)
    }
}
