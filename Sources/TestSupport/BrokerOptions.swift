/// How a test's private mosquitto is set up.
public struct BrokerOptions: Sendable {
    /// Users and their passwords. When set, anonymous access is off.
    public var users: [String: String] = [:]
    /// The ACL file's text (mosquitto `acl_file` syntax). When set, anonymous access is off.
    public var acl: String?
    /// Keep sessions and retained messages across a restart (saved on SIGTERM).
    public var persistence = false
    /// Serve TLS with a CA made for this broker (`Broker.caFile`).
    public var tls = false
    /// Raised from mosquitto's 1000, past which QoS 1 messages to a slow subscriber vanish.
    public var maxQueuedMessages = 100_000
    /// Extra lines appended to the generated config.
    public var extraConfig: [String] = []
    /// A whole config instead of the generated one, made from the port and the broker's
    /// directory (which already holds `passwords` and `acl` when `users` and `acl` are set).
    /// For tests of a shipped config file; the fixture's other options are then ignored.
    public var config: (@Sendable (_ port: Int, _ directory: String) throws -> String)?

    public init(
        users: [String: String] = [:], acl: String? = nil, persistence: Bool = false, tls: Bool = false,
        maxQueuedMessages: Int = 100_000, extraConfig: [String] = [],
        config: (@Sendable (_ port: Int, _ directory: String) throws -> String)? = nil
    ) {
        self.users = users
        self.acl = acl
        self.persistence = persistence
        self.tls = tls
        self.maxQueuedMessages = maxQueuedMessages
        self.extraConfig = extraConfig
        self.config = config
    }

    var anonymous: Bool { users.isEmpty && acl == nil }
}
