import JSON
import PropertyBased

/// Random JSON trees for property tests: bounded in depth and width so they stay within
/// the default limits, with finite doubles and strings drawn from awkward characters.
enum JSONValueGenerator {
    static let maxDepth = 5
    static let maxWidth = 5

    static var value: Generator<JSONValue, Shrink.None<JSONValue>> {
        Generator { rng in makeValue(depth: 0, using: &rng) }
    }

    static func makeValue(depth: Int, using rng: inout any SeededRandomNumberGenerator) -> JSONValue {
        // Containers get rarer with depth so most trees end well before maxDepth.
        let kinds = depth >= maxDepth ? 5 : 7
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(makeInt(using: &rng))
        case 3: return .double(makeDouble(using: &rng))
        case 4: return .string(makeString(using: &rng))
        case 5:
            let count = Int.random(in: 0...maxWidth, using: &rng)
            return .array((0..<count).map { _ in makeValue(depth: depth + 1, using: &rng) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...maxWidth, using: &rng) {
                // json-c keys are C strings, so keys never hold U+0000 (serialize rejects it).
                let key = makeString(using: &rng).filter { $0 != "\u{0}" }
                object[key] = makeValue(depth: depth + 1, using: &rng)
            }
            return .object(object)
        }
    }

    static func makeInt(using rng: inout any SeededRandomNumberGenerator) -> Int64 {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: Int64.random(in: -1000...1000, using: &rng)
        case 1: [Int64.min, .max, 0, -1].randomElement(using: &rng)!
        default: Int64.random(in: .min ... .max, using: &rng)
        }
    }

    static func makeDouble(using rng: inout any SeededRandomNumberGenerator) -> Double {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return Double(Int.random(in: -1000...1000, using: &rng)) / 10  // 0.1-style decimals
        case 1: return Double(Int64.random(in: -(1 << 53)...(1 << 53), using: &rng))  // integral, e.g. 2.0
        case 2: return [0.0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.ulpOfOne].randomElement(using: &rng)!
        default:
            // Any finite bit pattern, including subnormals and huge exponents.
            while true {
                let value = Double(bitPattern: UInt64.random(in: .min ... .max, using: &rng))
                if value.isFinite { return value }
            }
        }
    }

    /// Quotes, backslashes, control characters, the slash, non-ASCII up to astral planes.
    static func makeString(using rng: inout any SeededRandomNumberGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            let value: UInt32
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: value = [0x22, 0x5C, 0x2F, 0x27, 0x00, 0x7F].randomElement(using: &rng)!
            case 1: value = UInt32.random(in: 0...0x1F, using: &rng)
            case 2: value = UInt32.random(in: 0x20...0x7E, using: &rng)
            case 3: value = UInt32.random(in: 0x80...0xFFFF, using: &rng)
            default: value = UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
            }
            // Surrogate code points are not scalars; skip them.
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }
}
