import Foundation
import JSON
import LockAPI
import Yams

/// An access plan's YAML file (docs/access-plans.md): the plan's fields at the top, and
/// optionally `auth_codes`, the remote codes of locks that require one. It holds codes, so it
/// must be readable by its owner only.
struct PlanFile {
    var plan: JSONObject
    var authCodes: JSONObject?

    static func read(_ path: String) throws -> PlanFile {
        let manager = FileManager.default
        guard let attributes = try? manager.attributesOfItem(atPath: path), let mode = attributes[.posixPermissions] as? Int else {
            throw ClientFailure("cannot read the plan file \(path)")
        }
        guard mode & 0o044 == 0 else {
            throw ClientFailure("\(path) holds codes and may be read by group or others; run: chmod 600 \(path)")
        }
        guard let data = manager.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ClientFailure("cannot read the plan file \(path)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            // The parser's message may quote the line, and the line may hold a code: only where it is.
            throw ClientFailure("\(path) is not valid YAML\(Self.place(error))")
        }
        guard case .object(var o) = try node.map(Self.json) ?? .null else {
            throw ClientFailure("\(path) must be a mapping with the plan's name, groups and grants")
        }
        let auth = o.removeValue(forKey: "auth_codes")
        guard auth == nil || auth?.objectValue != nil else { throw ClientFailure("\(path): auth_codes must map lock ids to codes") }
        return PlanFile(plan: o, authCodes: auth?.objectValue)
    }

    /// YAML to JSON. Plain scalars are strings unless they are true, false or null: a plan has
    /// no numbers, and YAML 1.1 would read 12:00 as 720 and 012345 as 12345.
    static func json(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            switch scalar.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            case "null", "Null", "NULL", "~", "": return .null
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var o: JSONObject = [:]
            for (key, value) in mapping {
                guard case .scalar(let name) = key else { throw ClientFailure("the plan file's keys must be plain words") }
                o[name.string] = try json(value)
            }
            return .object(o)
        case .sequence(let sequence): return .array(try sequence.map(json))
        case .alias: throw ClientFailure("the plan file may not use YAML aliases")
        }
    }

    private static func place(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): ": line \(mark.line), column \(mark.column)"
        default: ""
        }
    }

    /// The `plan/apply` request; the file's codes checked by the same rules the bridge applies.
    func request(dryRun: Bool, now: Date = Date()) throws -> PlanApply {
        var body: JSONObject = ["plan": .object(plan), "issued_at": .time(now), "request_id": .string("cli-\(UUID().uuidString.lowercased())")]
        if let authCodes { body["auth_codes"] = .object(authCodes) }
        if dryRun { body["dry_run"] = true }
        let (parsed, _) = BridgeRequest.parse(name: "plan/apply", payload: try body.serializedBytes(), now: now, maxAge: 60, minCodeLength: 4)
        switch parsed {
        case .success(.planApply(let apply)): return apply
        case .success: throw ClientFailure("the plan file did not read as a plan")
        case .failure(let error): throw ClientFailure("\(error.code): \(error.message)", exitCode: ClientExit.usage)
        }
    }
}
