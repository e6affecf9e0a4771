/// Everything a client needs to reach a broker. The password never appears in `description`.
public struct MQTTConfiguration: Sendable, CustomStringConvertible {
    /// TLS settings for `mqtts://`.
    public struct TLS: Sendable, Hashable {
        /// The CA certificate(s) that signed the broker's certificate.
        public var caFile: String
        public var certFile: String?
        public var keyFile: String?
        public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    public var host: String
    public var port: Int
    public var clientID: String
    public var username: String?
    public var password: String?
    public var tls: TLS?
    /// Keep-alive in seconds (libmosquitto's minimum is 5).
    public var keepAlive: Int = 30
    /// MQTT 5 clean start. Off by default: the session survives short outages.
    public var cleanStart: Bool = false
    /// How long the broker keeps the session after the link drops, in seconds.
    public var sessionExpiry: UInt32 = 3600
    public var will: MQTTWill?
    /// How long `connect()` may take before it fails; a bad TLS CA would otherwise hang forever.
    public var connectTimeout: Duration = .seconds(10)
    /// Backoff between reconnect attempts: starts at `min`, doubles up to `max`.
    public var reconnectDelay: ClosedRange<Duration> = .milliseconds(200) ... .seconds(30)
    /// Messages buffered per subscription before new ones are dropped (counted and logged).
    public var subscriptionBuffer: Int = 65_536

    public init(host: String = "127.0.0.1", port: Int = 1883, clientID: String) {
        self.host = host
        self.port = port
        self.clientID = clientID
    }

    public var description: String {
        let scheme = tls == nil ? "mqtt" : "mqtts"
        let user = username.map { "\($0)\(password == nil ? "" : ":***")@" } ?? ""
        return "\(scheme)://\(user)\(host):\(port) (client \(clientID))"
    }
}
