import Foundation
import NIOSSL
import PostgresNIO

/// `postgres://user@host:port/database?sslmode=…&sslrootcert=…`, read. The TLS parameters mean
/// what they mean to libpq (`psql`), so a URL that works there works here.
struct PostgresTarget {
    /// libpq's `sslmode`, without `allow`.
    enum SSLMode: String, CaseIterable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, the certificate unchecked (libpq's default).
        case prefer
        /// TLS or no connection, the certificate unchecked (checked against `sslrootcert` if given).
        case require
        /// TLS, the certificate signed by `sslrootcert` (or a system CA).
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate names the host.
        case verifyFull = "verify-full"
    }

    var user: String
    var host: String
    var port: Int
    var database: String
    var sslMode = SSLMode.prefer
    var rootCert: String?

    init(url: String) throws(PostgresStoreError) {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? "") else {
            throw PostgresStoreError("cluster.postgres must be a postgres://user@host:port/database URL")
        }
        guard parts.password == nil else {
            throw PostgresStoreError("cluster.postgres must not hold the password; use a password file or LOCKBRIDGE_POSTGRES_PASSWORD")
        }
        guard let user = parts.user, !user.isEmpty, let host = parts.host, !host.isEmpty else {
            throw PostgresStoreError("cluster.postgres needs a user and a host: postgres://user@host:port/database")
        }
        let database = String(parts.path.drop { $0 == "/" })
        (self.user, self.host, self.port, self.database) = (user, host, parts.port ?? 5432, database.isEmpty ? user : database)
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    let known = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresStoreError("cluster.postgres: sslmode must be one of \(known)")
                }
                sslMode = mode
            case "sslrootcert":
                guard let path = item.value, FileManager.default.isReadableFile(atPath: path) else {
                    throw PostgresStoreError("cluster.postgres: sslrootcert \(item.value ?? "") is not a readable file")
                }
                rootCert = path
            default:
                throw PostgresStoreError("cluster.postgres: unknown parameter \"\(item.name)\" (known: sslmode, sslrootcert)")
            }
        }
    }

    /// The TLS settings for `sslmode`; nil for `disable`.
    var tls: TLSConfiguration? {
        guard sslMode != .disable else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        // As libpq: `require` with a root certificate checks the chain.
        let mode = sslMode == .require && rootCert != nil ? SSLMode.verifyCA : sslMode
        switch mode {
        case .verifyFull: configuration.certificateVerification = .fullVerification
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        }
        if let rootCert { configuration.trustRoots = .file(rootCert) }
        return configuration
    }

    /// For the connection pool.
    var clientTLS: PostgresClient.Configuration.TLS {
        guard let tls else { return .disable }
        return sslMode == .prefer ? .prefer(tls) : .require(tls)
    }

    /// A connection of its own (the shard keeper's, the check at start).
    func connection(password: String?) throws -> PostgresConnection.Configuration {
        var tls = PostgresConnection.Configuration.TLS.disable
        if let settings = self.tls {
            let context = try NIOSSLContext(configuration: settings)
            tls = sslMode == .prefer ? .prefer(context) : .require(context)
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
