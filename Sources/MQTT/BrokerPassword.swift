import Foundation

/// Where a broker password comes from besides the URL: a file or an environment variable,
/// so that it never has to be on the command line.
public enum BrokerPassword {
    /// The password from `file` (first line), else from the environment variable; nil if neither.
    ///
    /// A password that is configured but empty, or a placeholder or well-known default (see
    /// `check`), is refused with an error that names the setting (`fileSetting` or the
    /// variable) and never the password.
    public static func read(
        file: String?, fileSetting: String = "--password-file", environment variable: String
    ) throws(MQTTError) -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw MQTTError(.invalidArgument, "cannot read the password file \(file) (\(fileSetting))")
            }
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            let password = String(line)
            try check(password, setting: "\(fileSetting) \(file)")
            return password
        }
        guard let value = ProcessInfo.processInfo.environment[variable] else { return nil }
        // Set but empty is a mistake (an unexpanded variable, a missing secret), not "no password".
        try check(value, setting: variable)
        return value
    }

    /// Refuses an empty password and a default or placeholder one; `setting` says where it was
    /// configured. The message never carries the password itself.
    public static func check(_ password: String, setting: String) throws(MQTTError) {
        if password.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw MQTTError(.invalidArgument, "the broker password from \(setting) is empty; give the broker user a strong, random password (see docs/security.md)")
        }
        if isDefault(password) {
            throw MQTTError(.invalidArgument, "the broker password from \(setting) is a placeholder or a well-known default, refused; generate a random one (scripts/make-secrets.sh, see docs/security.md)")
        }
    }

    /// Whether `password` is one of the placeholders shipped in config/ and docs/ (they all
    /// contain `change-me`), or a well-known default that an attacker would try first.
    public static func isDefault(_ password: String) -> Bool {
        let folded = password.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let squeezed = String(folded.filter { $0.isLetter || $0.isNumber })
        if squeezed.contains("changeme") || squeezed.contains("placeholder") { return true }
        return wellKnown.contains(folded) || wellKnown.contains(squeezed)
    }

    /// Passwords refused outright (compared lowercased, also without punctuation).
    static let wellKnown: Set<String> = [
        "password", "passw0rd", "pass", "secret", "default", "example", "test", "admin", "root", "guest",
        "mosquitto", "mqtt", "lockbridge", "lock-emulator", "lockemulator", "emulator", "bridge",
        "automation", "homeassistant", "home-assistant", "letmein", "qwerty", "123456", "12345678",
        "1234", "0000", "none", "null", "changeit",
    ]
}
