import Foundation
import JSON
import LockAPI
import LockCore

/// Reads `lockdev/<id>/sim` payloads (spec section 6) into lock inputs.
enum SimAction {
    /// The action's name and the lock's input; the error never repeats a code it was given.
    static func parse(_ payload: [UInt8]) throws(SimError) -> (String, SimInput) {
        let o: JSONObject
        do {
            o = try JSON.parseObject(payload, limits: JSONLimits(maxBytes: 4096, maxDepth: 4))
        } catch {
            throw SimError("invalid_json", error.description)
        }
        let action: String
        do { action = try o.string("action") } catch { throw SimError("invalid_field", error.description, field: "action") }
        do {
            if action == "clock" {
                guard let at = RFC3339.parse(try o.string("at")) else {
                    throw SimError("invalid_field", "at must be an RFC 3339 time such as 2026-03-29T00:30:00Z", field: "at")
                }
                return (action, .clock(at))
            }
            return (action, .lock(try input(action, o)))
        } catch let error as SimError {
            throw error
        } catch let error as JSONError {
            throw SimError("invalid_field", error.description, field: error.field)
        } catch {
            throw SimError("invalid_field", "\(error)")
        }
    }

    private static func input(_ action: String, _ o: JSONObject) throws -> LockInput {
        switch action {
        case "keypad":
            let code = try o.string("code")
            guard (1...32).contains(code.count) else { throw SimError("invalid_field", "code must have 1 to 32 characters", field: "code") }
            return .keypad(PlainCode(code))
        case "key": return .key(try bolt(o, "turn"))
        case "override_key": return .overrideKey
        case "fob":
            let id = try o.string("fob_id")
            guard !id.isEmpty, id.count <= 64 else { throw SimError("invalid_field", "fob_id must have 1 to 64 characters", field: "fob_id") }
            return .fob(id: id)
        case "phone": return .phone(id: try o.string("id"), command: try bolt(o, "command"))
        case "button": return .button(try bolt(o, "command"))
        case "door":
            guard let state = DoorInput(rawValue: try o.string("state")) else {
                throw SimError("invalid_field", "state must be open, closed or forced_open", field: "state")
            }
            return .door(state)
        case "battery":
            let percent = try o.double("percent")
            guard (0...100).contains(percent) else { throw SimError("invalid_field", "percent must be within 0…100", field: "percent") }
            return .setBattery(percent: percent)
        case "replace_battery": return .replaceBattery
        case "backup_power": return .backupPower(connected: try o.bool("connected"))
        case "wifi": return .wifi(up: try o.bool("up"))
        case "ble": return .ble(up: try o.bool("up"))
        case "glitch":
            guard let kind = GlitchKind(rawValue: try o.string("kind")) else {
                throw SimError("invalid_field", "kind must be crash, hang or jam", field: "kind")
            }
            return .glitch(kind)
        case "tamper": return .tamper
        default:
            throw SimError("unknown_action", "unknown sim action; see the spec's section 6", field: "action")
        }
    }

    private static func bolt(_ o: JSONObject, _ field: String) throws -> BoltCommand {
        guard let command = BoltCommand(rawValue: try o.string(field)) else {
            throw SimError("invalid_field", "\(field) must be lock or unlock", field: field)
        }
        return command
    }
}

/// What a sim action does: an input to the lock, or a new time on the lock's clock.
enum SimInput {
    case lock(LockInput)
    case clock(Date)

    /// What the lock itself is told: after `clock`, only that time passed.
    var lockInput: LockInput {
        switch self {
        case .lock(let input): input
        case .clock: .tick
        }
    }

    var isClock: Bool { if case .clock = self { true } else { false } }
}

/// Why a sim message was refused.
struct SimError: Error {
    var code: String
    var message: String
    var field: String?
    init(_ code: String, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }
}
