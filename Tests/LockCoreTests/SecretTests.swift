import Foundation
import Testing
@testable import LockCore

/// A PIN or override code must never appear in any description, error or encoded event.
@Suite struct SecretTests {
    let pin = "480913"
    let overrideCode = "48091372"

    @Test func codeHashNeverPrintsItsBytes() {
        let hash = Rig.hasher.hash(code: pin, salt: Rig.salt)
        let hex = hash.rawBytes.map { String(format: "%02x", $0) }.joined()
        for text in [hash.description, String(reflecting: hash), "\(hash)", String(describing: [hash])] {
            #expect(text == "CodeHash(redacted)" || text == "[CodeHash(redacted)]")
            #expect(!text.contains(hex.prefix(8)))
        }
    }

    @Test func codeHashComparesByValueAndEmptyMatchesNothing() {
        let a = Rig.hasher.hash(code: pin, salt: Rig.salt)
        #expect(a == Rig.hasher.hash(code: pin, salt: Rig.salt))
        #expect(a != Rig.hasher.hash(code: "480914", salt: Rig.salt))
        #expect(a != Rig.hasher.hash(code: pin, salt: Array(1..<17)), "the salt is per lock")
        #expect(CodeHash(bytes: []) != CodeHash(bytes: []))
        #expect(a.rawBytes.count == 32)
    }

    @Test func codeHashRoundTripsThroughJSON() throws {
        let a = Rig.hasher.hash(code: pin, salt: Rig.salt)
        let data = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(CodeHash.self, from: data) == a)
    }

    @Test func keypadInputNeverPrintsTheCode() {
        let input = LockInput.keypad(PlainCode(pin))
        var dumped = ""
        dump(input, to: &dumped)
        for text in [String(describing: input), String(reflecting: input), dumped] {
            #expect(!text.contains(pin), "\(text)")
        }
    }

    @Test func lockStateEventsAndErrorsNeverContainACode() throws {
        var rig = Rig(config: LockConfig(wrongCodeLimit: 3))
        rig.addPin(pin, slot: 1)
        rig.command(.setConfig(LockConfigPatch(requireCodeForRemote: true)))
        rig.command(.setOverrideCode(rig.hash(overrideCode)), code: pin)
        rig.command(.setCode(slot: 2, name: "Dup", hash: rig.hash(pin)), code: pin)
        rig.send(.keypad(PlainCode(pin)))
        rig.send(.keypad(PlainCode(overrideCode)))
        for _ in 0..<3 { rig.send(.keypad("000111")) }
        rig.command(.unlock, code: "999999")
        rig.command(.unlock)

        var texts: [String] = []
        let encoder = JSONEncoder()
        for output in rig.outputs {
            texts.append(String(describing: output))
            texts.append(String(decoding: try encoder.encode(output), as: UTF8.self))
            if case .result(let result) = output, let error = result.error {
                texts.append(error.message)
                texts.append(error.description)
            }
        }
        texts.append(String(describing: rig.lock))
        texts.append(String(reflecting: rig.lock))
        texts.append(String(decoding: try encoder.encode(rig.lock), as: UTF8.self))
        var dumped = ""
        dump(rig.lock, to: &dumped)
        texts.append(dumped)
        #expect(rig.outputs.results.contains { $0.error?.rule == .duplicateCode })
        for text in texts {
            #expect(!text.contains(pin))
            #expect(!text.contains(overrideCode))
        }
    }
}
