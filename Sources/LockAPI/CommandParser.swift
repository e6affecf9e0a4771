public import Foundation
public import JSON
import LockCore

/// Turns a payload from `<base>/<lock id>/set` into a ``CommandRequest``, or into the
/// ``CommandRejection`` its `result` reports (spec section 4).
///
/// Plain payloads: `LOCK`, `UNLOCK` and `OPEN`, ASCII case-insensitive, with surrounding spaces,
/// tabs and line breaks ignored (`mosquitto_pub -l` and shell `echo` add a newline; a lowercase
/// `lock` cannot mean anything else). Anything else must be one strict JSON object of at most
/// 8 KiB and depth 4 whose keys are all known for its command: an unknown key is `invalid_field`
/// so that a typo (`"valid_untill"`) never silently drops a restriction.
///
/// The remote-operation code travels in `code`, except for `set_code` and `set_override_code`,
/// whose `code` is the new code: they carry it in `auth_code`, which no other command accepts.
/// See docs/commands.md for every choice made where the spec is silent.
///
/// Only what the payload itself shows is checked here. The retain flag, the fence, duplicate
/// request ids, whether the lock requires the remote code, and `confirm` against the lock id are
/// the bridge's checks.
public enum CommandParser {
    /// Limits for command payloads: the biggest real command is well under 1 KiB.
    public static let limits = JSONLimits(maxBytes: 8 * 1024, maxDepth: 4)
    /// How far in the future `issued_at` may lie, for clock skew.
    public static let futureTolerance: TimeInterval = 5

    /// Parses one payload.
    /// - Parameters:
    ///   - now: the bridge's clock, for `issued_at` and `valid_until`.
    ///   - maxAge: the command maximum age; an older `issued_at` is `expired`.
    ///   - minCodeLength: the keypad code minimum length for `set_code` (4…12).
    public static func parse(
        _ payload: [UInt8], now: Date, maxAge: TimeInterval, minCodeLength: Int
    ) -> Result<CommandRequest, CommandRejection> {
        if let action = plainAction(payload) {
            return .success(CommandRequest(action: action, isPlain: true))
        }
        let object: JSONObject
        do {
            object = try JSON.parseObject(payload, limits: limits)
        } catch {
            // JSONError names offsets and types, never values, so its text is safe to publish.
            return .failure(CommandRejection(error: LockError(.invalidJSON, "payload is not a JSON object: \(error)")))
        }
        let reader = CommandReader(object: object, now: now, maxAge: maxAge, minCodeLength: minCodeLength)
        do {
            return .success(try reader.request())
        } catch {
            return .failure(CommandRejection(requestID: reader.echoedRequestID, command: reader.echoedCommand, error: error))
        }
    }

    /// The action of a plain payload, or `nil` when the payload is not one.
    static func plainAction(_ payload: [UInt8]) -> PublicAction? {
        // Longer than "UNLOCK" plus generous whitespace cannot be plain; spare the work.
        guard payload.count <= 32 else { return nil }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let word = payload.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        let upper = word.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        switch String(decoding: upper, as: UTF8.self) {
        case "LOCK": return .lock
        case "UNLOCK": return .unlock
        case "OPEN": return .open
        default: return nil
        }
    }

    /// Whether `id` is a usable `request_id`: 1 to 128 printable ASCII characters.
    public static func isValidRequestID(_ id: String) -> Bool { CommandReader.isValidRequestID(id) }
}
