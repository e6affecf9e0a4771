/// Builders and parsers for the public topics under `<base>/` (spec sections 2 to 4).
public struct PublicTopics: Sendable, Hashable {
    public let base: String

    public init(base: String = "lockbridge") { self.base = base }

    /// The per-lock topics.
    public enum LockTopic: String, Sendable, CaseIterable {
        case availability, state, credentials, set, result
        case batteryAlert = "alert/battery"
        case duressAlert = "alert/duress"
        case accessEvent = "event/access"
        case faultEvent = "event/fault"
        case credentialEvent = "event/credential"
        case systemEvent = "event/system"
    }

    public func lock(_ id: LockID, _ topic: LockTopic) -> String { "\(base)/\(id.rawValue)/\(topic.rawValue)" }

    public var bridgeState: String { "\(base)/bridge/state" }
    public var bridgeInfo: String { "\(base)/bridge/info" }
    public func bridgeRequest(_ name: String) -> String { "\(base)/bridge/request/\(name)" }
    public func bridgeResponse(_ name: String) -> String { "\(base)/bridge/response/\(name)" }
    /// Every request, `plan/…` ones included (their two segments need `#`).
    public var bridgeRequests: String { "\(base)/bridge/request/#" }
    /// A plan's retained status (spec 7.2).
    public func planStatus(_ name: String) -> String { "\(base)/bridge/plan/\(name)" }
    /// Plan audit events: `applied`, `removed`, `drift`, `enforced`.
    public var planEvents: String { "\(base)/bridge/event/plan" }
    /// Every lock's command topic, as one subscription filter.
    public var allCommands: String { "\(base)/+/set" }
    /// The only place MQTT 5 responses may be sent.
    public var replyPrefix: String { "\(base)/reply/" }

    /// What a `<base>/<segment>/set` topic names.
    public enum CommandTarget: Sendable, Hashable {
        case lock(LockID)
        /// The segment is not a valid lock id: log and count, never reply.
        case invalid(String)
    }

    /// Parses `<base>/<id>/set`; nil when the topic is not a command topic at all.
    public func commandTarget(_ topic: String) -> CommandTarget? {
        guard let segment = middleSegment(topic, suffix: "/set") else { return nil }
        return LockID(segment).map(CommandTarget.lock) ?? .invalid(segment)
    }

    /// Parses `<base>/bridge/request/<name>`.
    public func requestName(_ topic: String) -> String? {
        let prefix = "\(base)/bridge/request/"
        guard topic.hasPrefix(prefix) else { return nil }
        let name = topic.dropFirst(prefix.count)
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        // One segment, or `plan/<verb>`.
        guard parts.allSatisfy({ !$0.isEmpty }), parts.count == 1 || (parts.count == 2 && parts[0] == "plan") else { return nil }
        return String(name)
    }

    /// Whether `topic` is a response topic the bridge may publish to.
    public func isReplyTopic(_ topic: String) -> Bool {
        topic.hasPrefix(replyPrefix) && topic.count > replyPrefix.count && !topic.contains("+") && !topic.contains("#")
    }

    private func middleSegment(_ topic: String, suffix: String) -> String? {
        let prefix = "\(base)/"
        guard topic.hasPrefix(prefix), topic.hasSuffix(suffix), topic.count > prefix.count + suffix.count else { return nil }
        let middle = topic.dropFirst(prefix.count).dropLast(suffix.count)
        return middle.contains("/") ? nil : String(middle)
    }
}
