import Foundation

extension MQTTConfiguration {
    /// Reads `mqtt://[user[:password]@]host[:port]` or `mqtts://…` (TLS, default port 8883).
    ///
    /// `caFile` is required for `mqtts://`; the default CA store is not trusted implicitly.
    public init(url text: String, clientID: String, caFile: String? = nil) throws(MQTTError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            throw MQTTError(.invalidURL, "not a broker URL; expected mqtt://host:port or mqtts://host:port")
        }
        let secure: Bool
        switch scheme {
        case "mqtt", "tcp": secure = false
        case "mqtts", "ssl": secure = true
        default:
            throw MQTTError(.invalidURL, "unknown scheme \"\(scheme)\"; use mqtt:// or mqtts://")
        }
        guard let host = url.host, !host.isEmpty else {
            throw MQTTError(.invalidURL, "the broker URL has no host")
        }
        if !url.path.isEmpty && url.path != "/" {
            throw MQTTError(.invalidURL, "a broker URL has no path")
        }
        let port = url.port ?? (secure ? 8883 : 1883)
        guard (1...65535).contains(port) else {
            throw MQTTError(.invalidURL, "port \(port) is out of range")
        }
        self.init(host: host, port: port, clientID: clientID)
        username = url.user.flatMap { $0.isEmpty ? nil : $0 }
        password = url.password
        if secure {
            guard let caFile else {
                throw MQTTError(.invalidURL, "mqtts:// needs a CA file to verify the broker")
            }
            tls = TLS(caFile: caFile)
        }
    }
}
