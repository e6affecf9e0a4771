import Foundation
import LockAPI
import LockCore
import Testing

/// Mangled payloads that carry a code: the parser must answer every one (no crash) and no
/// answer may quote the code. Seeded, so a failure reproduces.
@Suite struct CommandFuzzTests {
    static let seeds: [String] = [
        #"{"command":"unlock","code":"246813","request_id":"f-1","issued_at":"2026-11-25T10:00:00Z"}"#,
        #"{"command":"set_code","slot":2,"name":"Dog walker","code":"246813","auth_code":"73915084","replace":true}"#,
        #"{"command":"set_override_code","code":"73915084","auth_code":"246813"}"#,
    ]

    @Test(arguments: 0..<3)
    func mangledPayloadsNeverLeakTheCode(_ seedIndex: Int) {
        var random = SplitMix64(seed: UInt64(seedIndex) &+ 0x5EED)
        let original = Array(Self.seeds[seedIndex].utf8)
        var rejections = 0
        for _ in 0..<2_000 {
            var bytes = original
            for _ in 0..<Int(random.next() % 4 + 1) {
                Self.mangle(&bytes, &random)
            }
            guard case .failure(let rejection) = Cmd.parse(bytes) else { continue }
            rejections += 1
            let texts = SecretRedactionTests.renderings(of: rejection)
                + [String(decoding: ResultPayload.bytes(for: rejection, assignedRequestID: "x", at: Cmd.now), as: UTF8.self)]
            for text in texts where text.contains(Cmd.pin) || text.contains(Cmd.overridePin) {
                Issue.record("leak from \(String(decoding: bytes, as: UTF8.self)): \(text)")
                return
            }
        }
        // Most mangled payloads must be refused, or the mangling is not testing anything.
        #expect(rejections > 1_000)
    }

    /// One random edit: flip a byte, delete one, duplicate one, or insert a JSON-ish character.
    static func mangle(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        let index = Int(random.next() % UInt64(bytes.count))
        let specials = Array(#"{}[]",:0 \u"#.utf8) + [0xFF, 0x00, 0x0A]
        switch random.next() % 4 {
        case 0: bytes[index] ^= UInt8(truncatingIfNeeded: random.next() | 1)
        case 1: bytes.remove(at: index)
        case 2: bytes.insert(bytes[index], at: index)
        default: bytes.insert(specials[Int(random.next() % UInt64(specials.count))], at: index)
        }
    }
}

/// A small seeded generator (SplitMix64), so fuzz runs repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
