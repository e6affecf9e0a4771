public import Foundation
import JSON
import LockCore

/// Reads and validates what arrives on `<base>/<lock>/set` (spec section 4).
public enum CommandParser {
    /// Payload limits: a command is small; anything bigger or deeper is refused unread.
    static let limits = JSONLimits(maxBytes: 8192, maxDepth: 4)

    /// - Parameters:
    ///   - maxAge: commands whose `issued_at` is older than this are `expired`.
    ///   - minCodeLength: the keypad code minimum for `set_code`.
    public static func parse(_ payload: [UInt8], now: Date, maxAge: TimeInterval, minCodeLength: Int) -> Result<CommandRequest, CommandRejection> {
        if let plain = plainAction(payload) {
            return .success(CommandRequest(requestID: nil, issuedAt: nil, code: nil, action: plain, isPlain: true))
        }
        let o: JSONObject
        do {
            o = try JSON.parseObject(payload, limits: limits)
        } catch {
            return .failure(CommandRejection(requestID: nil, command: nil, error: LockError(.invalidJSON, "not a JSON object command: \(error.description)")))
        }
        // Read the request id first, so that every later rejection can carry it.
        var requestID: String?
        if let raw = o["request_id"], !raw.isNull {
            guard let text = raw.stringValue, isValidRequestID(text) else {
                return .failure(CommandRejection(requestID: nil, command: o["command"]?.stringValue, error: LockError(.invalidField, "request_id must be 1 to 128 printable ASCII characters", field: "request_id")))
            }
            requestID = text
        }
        var reader = CommandReader(object: o, requestID: requestID)
        do {
            return .success(try reader.read(now: now, maxAge: maxAge, minCodeLength: minCodeLength))
        } catch {
            return .failure(error)
        }
    }

    /// Home Assistant's plain payloads, exactly as it sends them.
    static func plainAction(_ payload: [UInt8]) -> PublicAction? {
        switch payload {
        case Array("LOCK".utf8): .lock
        case Array("UNLOCK".utf8): .unlock
        case Array("OPEN".utf8): .open
        default: nil
        }
    }

    /// 1 to 128 printable ASCII characters.
    public static func isValidRequestID(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
    }
}
