import Foundation
public import BridgeCore
import LockAPI
import Logging
import Yams

/// A setting that cannot be used; the message names the key and what it should be.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var key: String?
    public var message: String
    public var description: String { key.map { "config key \"\($0)\": \(message)" } ?? message }

    public init(key: String? = nil, message: String) {
        self.key = key
        self.message = message
    }
}

extension BridgeConfiguration {
    /// What a YAML file may say besides the bridge settings themselves.
    public struct FileExtras: Sendable, Equatable {
        public var broker: String?
        public var caFile: String?
        public var username: String?
        public var passwordFile: String?
        public init() {}
    }

    /// Applies a YAML config file (keys as in config/lockbridge.yaml) on top of the defaults.
    public mutating func apply(yaml text: String) throws(ConfigurationError) -> FileExtras {
        let root: Any?
        do {
            // Yams stops the process on a mapping key that is not a plain value (`? [a]: 1`),
            // so the tree is checked first (found by the config fuzz target).
            if let tree = try Yams.compose(yaml: text), let mark = Self.complexKey(in: tree) {
                throw ConfigurationError(message: "not valid YAML: line \(mark.line), column \(mark.column): a key must be a plain value")
            }
            root = try Yams.load(yaml: text)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(message: "not valid YAML: \(Self.where(error))")
        }
        guard let root else { return FileExtras() }
        guard let map = root as? [String: Any] else { throw ConfigurationError(message: "the file must be a mapping of keys to values") }
        var extras = FileExtras()
        for (key, value) in map.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "broker": extras.broker = try string(key, value)
            case "ca_file": extras.caFile = try string(key, value)
            case "username": extras.username = try string(key, value)
            case "password_file": extras.passwordFile = try string(key, value)
            case "password":
                throw ConfigurationError(key: key, message: "passwords do not belong in the config file; use password_file or LOCKBRIDGE_PASSWORD")
            case "base_topic": baseTopic = try topicLevel(key, value)
            case "device_topic_prefix": deviceTopicPrefix = try topicLevel(key, value)
            case "data_dir": dataDirectory = try string(key, value)
            case "device_key_file": deviceKeyFile = try string(key, value)
            case "plan_key_file": planKeyFile = try string(key, value)
            case "plan_parallel": planParallel = Int(try number(key, value, 1...256))
            case "cluster": cluster = try clusterSettings(value)
            case "allow_list":
                guard let list = value as? [Any] else { throw ConfigurationError(key: key, message: "expected a list of lock ids") }
                var ids: Set<String> = []
                for item in list { ids.insert(try string(key, item)) }
                allowList = ids
            case "offline_after_s": offlineAfter = try number(key, value, 1...86_400)
            case "command_max_age_s": commandMaxAge = try number(key, value, 1...3600)
            case "command_timeout_s": commandTimeout = try number(key, value, 0.1...600)
            case "probe_interval_s": probeInterval = try number(key, value, 1...86_400)
            case "battery_low": batteryLow = try number(key, value, 1...99)
            case "battery_critical": batteryCritical = try number(key, value, 1...99)
            case "battery_depleted": batteryDepleted = try number(key, value, 0...99)
            case "min_code_length": minCodeLength = Int(try number(key, value, 4...12))
            case "code_rotation_days": codeRotationDays = try number(key, value, 0.0001...3650)
            case "audit_retention_days": auditRetentionDays = try number(key, value, 1...3650)
            case "request_retention_hours": requestRetentionHours = try number(key, value, 24...8760)
            case "tick_interval_s": tickInterval = try number(key, value, 0.05...10)
            case "discovery":
                guard let flag = value as? Bool else { throw ConfigurationError(key: key, message: "expected true or false") }
                discovery = flag
            case "discovery_prefix": discoveryPrefix = try topicLevel(key, value)
            case "discovery_mode":
                guard let text = value as? String, let mode = DiscoveryMode(rawValue: text) else {
                    throw ConfigurationError(key: key, message: "expected device or entity")
                }
                discoveryMode = mode
            default:
                throw ConfigurationError(key: key, message: "unknown setting; see config/lockbridge.yaml for every key")
            }
        }
        guard batteryDepleted < batteryCritical, batteryCritical < batteryLow else {
            throw ConfigurationError(key: "battery_low", message: "thresholds must satisfy depleted < critical < low")
        }
        return extras
    }

    /// `cluster: {postgres, password_file, takeover_s}` (spec 8).
    private func clusterSettings(_ value: Any) throws(ConfigurationError) -> ClusterSettings {
        guard let map = value as? [String: Any] else { throw ConfigurationError(key: "cluster", message: "expected a mapping with postgres (and password_file, takeover_s)") }
        guard let url = map["postgres"] else { throw ConfigurationError(key: "cluster.postgres", message: "expected a postgres://user@host:port/database URL") }
        var settings = ClusterSettings(postgres: try string("cluster.postgres", url))
        for (key, item) in map.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "postgres": break
            case "password_file": settings.passwordFile = try string("cluster.password_file", item)
            case "password": throw ConfigurationError(key: "cluster.password", message: "passwords do not belong in the config file; use password_file or LOCKBRIDGE_POSTGRES_PASSWORD")
            case "takeover_s": settings.takeoverSeconds = try number("cluster.takeover_s", item, 1...300)
            case "instance":
                let name = try string("cluster.instance", item)
                guard LockID(name) != nil else { throw ConfigurationError(key: "cluster.instance", message: "expected a name like a lock id (a-z, 0-9, _ and -)") }
                settings.instance = name
            default: throw ConfigurationError(key: "cluster.\(key)", message: "unknown setting; expected postgres, password_file, takeover_s or instance")
            }
        }
        return settings
    }

    private func string(_ key: String, _ value: Any) throws(ConfigurationError) -> String {
        guard let text = value as? String, !text.isEmpty else { throw ConfigurationError(key: key, message: "expected a non-empty string") }
        return text
    }

    private func topicLevel(_ key: String, _ value: Any) throws(ConfigurationError) -> String {
        let text = try string(key, value)
        guard !text.contains("+"), !text.contains("#"), !text.hasPrefix("/"), !text.hasSuffix("/") else {
            throw ConfigurationError(key: key, message: "must be a plain topic without wildcards or leading/trailing /")
        }
        return text
    }

    private func number(_ key: String, _ value: Any, _ range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        let number: Double? = switch value {
        case let int as Int: Double(int)
        case let double as Double: double
        default: nil
        }
        guard let number, range.contains(number) else {
            throw ConfigurationError(key: key, message: "expected a number within \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }
}

extension BridgeConfiguration {
    /// Where and why the YAML is malformed, without the offending line: Yams quotes it, and that
    /// line may hold a secret (found by the config fuzz target, Fuzz/regressions/config).
    static func `where`(_ error: any Error) -> String {
        guard let yaml = error as? YamlError else { return "unreadable" }
        switch yaml {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(context.map { "\($0.text), " } ?? "")\(problem)"
        case .reader(let problem, let offset, _, _):
            return "\(problem)\(offset.map { " at byte \($0)" } ?? "")"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "line \(context.mark.line): a key appears twice (\(duplicates.sorted().joined(separator: ", ")))"
        default:
            return "unreadable"
        }
    }
}

extension BridgeConfiguration {
    /// Where the first mapping key that is not a scalar is, if there is one.
    static func complexKey(in node: Node) -> (line: Int, column: Int)? {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard case .scalar = key else {
                    let mark = key.mark ?? mapping.mark
                    return (mark?.line ?? 0, mark?.column ?? 0)
                }
                if let mark = complexKey(in: value) { return mark }
            }
            return nil
        case .sequence(let sequence):
            return sequence.lazy.compactMap { complexKey(in: $0) }.first
        case .scalar, .alias:
            return nil
        }
    }
}
