import Foundation

/// Where a broker password comes from besides the URL: a file or an environment variable,
/// so that it never has to be on the command line.
public enum BrokerPassword {
    /// The password from `file` (first line), else from the environment variable; nil if neither.
    public static func read(file: String?, environment variable: String) throws(MQTTError) -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw MQTTError(.invalidArgument, "cannot read the password file \(file)")
            }
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            return String(line)
        }
        return ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
}
