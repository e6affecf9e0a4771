public import Foundation

/// TLS files for a test server in `directory`: `ca.crt`, `server.crt` and `server.key` for
/// 127.0.0.1 and localhost, and `other-ca.crt`, a CA that signed nothing (for wrong-CA tests).
public enum TLSMaterial {
    /// A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA for
    /// wrong-CA tests. EC keys keep this fast.
    public static func make(in directory: URL) throws {
        let d = directory.path
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "other-ca"] {
            try BrokerFiles.run("/usr/bin/openssl", ["req", "-x509"] + ec + [
                "-keyout", "\(d)/\(ca).key", "-out", "\(d)/\(ca).crt", "-days", "2", "-subj", "/CN=lockbridge-test-\(ca)",
            ])
        }
        try BrokerFiles.run("/usr/bin/openssl", ["req"] + ec + [
            "-keyout", "\(d)/server.key", "-out", "\(d)/server.csr", "-subj", "/CN=127.0.0.1",
        ])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(
            toFile: "\(d)/san.ext", atomically: true, encoding: .utf8)
        try BrokerFiles.run("/usr/bin/openssl", [
            "x509", "-req", "-in", "\(d)/server.csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
            "-CAcreateserial", "-out", "\(d)/server.crt", "-days", "2", "-extfile", "\(d)/san.ext",
        ])
    }
}
