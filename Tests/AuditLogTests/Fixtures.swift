@testable import AuditLog
import Foundation

/// A fixed base time, exactly representable both as seconds since 1970 and since 2001.
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

extension AuditStore {
    /// Appends an access record whose payload names `n`, at `t0 + seconds`.
    @discardableResult
    func appendEvent(lock: String = "front", _ n: Int, seconds: TimeInterval = 0)
        throws -> Int64
    {
        try append(
            lock: lock, category: "access", topic: "lockbridge/\(lock)/event",
            payload: Array(#"{"n":\#(n)}"#.utf8), at: t0.addingTimeInterval(seconds),
            epoch: 1, seq: Int64(n))
    }
}

extension AuditRecord {
    /// The `n` that `appendEvent` put in the payload.
    var n: Int? {
        let text = String(decoding: payload, as: UTF8.self)
        return Int(text.dropFirst(#"{"n":"#.count).dropLast())
    }
}
