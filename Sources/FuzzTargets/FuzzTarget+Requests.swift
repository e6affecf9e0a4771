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
    /// same file always gives the same settings. A refusal never quotes a password it was given.
    static let config = FuzzTarget(name: "config", summary: "YAML config loader: deterministic; no refusal quotes a password") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        var first = BridgeConfiguration()
        var second = BridgeConfiguration()
        do {
            let extras = try first.apply(yaml: text)
            let again = try second.apply(yaml: text)
            invariant(first == second && extras == again, "config", "the same file gave different settings")
        } catch {
            for line in text.split(separator: "\n") where line.contains("password") {
                guard let value = line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces), value.count >= 6 else { continue }
                invariant(!"\(error)".contains(value), "config", "a refusal quoted a password")
            }
        }
    }
}
