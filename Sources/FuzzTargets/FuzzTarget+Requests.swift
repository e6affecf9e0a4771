import Bridge
import Foundation
import BridgeCore
import JSON
import LockAPI

extension FuzzTarget {
    /// The bridge-request parser, under every request name: an accepted request writes back to a
    /// payload that parses to the same request, with the same transaction.
    static let bridgeRequest = FuzzTarget(
        name: "request", summary: "bridge-request parser, every name: parse(payload(x)) == x"
    ) { bytes in
        for name in ["locks", "credentials", "remove", "health", "history", "nonsense"] {
            let (parsed, transaction) = BridgeRequest.parse(name: name, payload: bytes)
            guard case .success(let request) = parsed else { continue }
            invariant(request.name == name, "request", "\(name) parsed as \(request.name)")
            let back = BridgeRequest.parse(name: name, payload: request.payload(transaction: transaction.stringValue))
            invariant((try? back.request.get()) == request, "request", "\(name): parse(payload(x)) != x")
            invariant(transaction.stringValue == nil || back.transaction == transaction, "request", "\(name): the transaction changed")
        }
    }

    /// The YAML config loader: it either applies a file or refuses it with a message, and the
    /// same file always gives the same settings. A refusal never quotes a password it was given:
    /// the value of any key naming a password is swapped for a marker, and a refusal that then
    /// carries the marker was quoting the file.
    static let config = FuzzTarget(name: "config", summary: "YAML config loader: deterministic; no refusal quotes a password") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        guard let refused = refusal(text) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].hasPrefix("#"), parts[0].lowercased().contains("password") else { continue }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            guard value.count >= 4, refused.contains(value) else { continue }
            // Only this line's value changes: the same letters elsewhere (in a key the refusal
            // names, say) are not the password.
            let marker = String(repeating: "Q", count: value.count)
            var swapped = lines
            swapped[index] = "\(parts[0]): \(marker)"[...]
            let again = refusal(swapped.joined(separator: "\n")) ?? ""
            invariant(!again.contains(marker), "config", "a refusal quoted a password")
        }
    }

    /// The refusal of `text`, or nil when it applies; applying it twice gives the same settings.
    static func refusal(_ text: String) -> String? {
        var first = BridgeConfiguration()
        var second = BridgeConfiguration()
        do {
            let extras = try first.apply(yaml: text)
            let again = try second.apply(yaml: text)
            invariant(first == second && extras == again, "config", "the same file gave different settings")
            return nil
        } catch {
            return "\(error)"
        }
    }
}
