import Foundation
import Testing

import Bridge
import BridgeCore
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

    /// Found by the config target: Yams quotes the offending line of malformed YAML, and the
    /// refusal carried it, a password included.
    @Test func aMalformedConfigIsRefusedWithoutQuotingItsLines() throws {
        var settings = BridgeConfiguration()
        let text = "offlin-_after_s:0-1\npassword: thuenr3hunter2\n"
        #expect(throws: ConfigurationError.self) { try settings.apply(yaml: text) }
        do {
            _ = try settings.apply(yaml: text)
        } catch {
            #expect("\(error)".hasPrefix("not valid YAML: line 2, column"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    /// Found by the config target: Yams stopped the process on a mapping key that is not a plain
    /// value, so a malformed config crashed `lockbridge run` instead of exit code 2.
    @Test func aConfigWithAComplexKeyIsRefusedNotACrash() {
        var settings = BridgeConfiguration()
        for text in ["? [a, b]\n: 1\n", "offline_after_s: 90\nnested:\n  ? {x: 1}\n  : 2\n"] {
            #expect(throws: ConfigurationError.self) { try settings.apply(yaml: text) }
            do {
                _ = try settings.apply(yaml: text)
            } catch {
                #expect("\(error)".contains("a key must be a plain value"), "\(error)")
            }
        }
    }
}
