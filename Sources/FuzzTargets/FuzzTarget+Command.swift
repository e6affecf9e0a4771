import Foundation
import JSON
import LockAPI
import LockCore

extension FuzzTarget {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// The public command parser (every `set` payload): an accepted command serializes and parses
    /// back to itself; a refused one's result never echoes a code the payload carried.
    static let command = FuzzTarget(
        name: "command", summary: "public command parser: parse(payload(x)) == x; no result echoes a code"
    ) { bytes in
        switch CommandParser.parse(bytes, now: now, maxAge: 300, minCodeLength: 4) {
        case .success(let request):
            // A plain `UNLOCK` writes itself as JSON, so only the plain flag may differ.
            var written = request
            written.isPlain = false
            let back = CommandParser.parse(request.payload(), now: now, maxAge: 300, minCodeLength: 4)
            invariant((try? back.get()) == written, "command", "parse(payload(x)) != x for \(request.action.name)")
        case .failure(let rejection):
            let result = String(decoding: ResultPayload.bytes(for: rejection, assignedRequestID: "lb-fuzz", at: now), as: UTF8.self)
            for code in codes(in: bytes) {
                invariant(!result.contains(code), "command", "a refusal echoed a code (\(rejection.error.code.rawValue))")
            }
        }
    }

    /// The values under the code keys of a JSON command, when they look like codes (4+ digits).
    static func codes(in bytes: [UInt8]) -> [String] {
        guard let o = try? JSON.parseObject(bytes) else { return [] }
        return ["code", "auth_code", "new_code"].compactMap { o[$0]?.stringValue }
            .filter { $0.count >= 4 && $0.allSatisfy(\.isNumber) }
    }
}
