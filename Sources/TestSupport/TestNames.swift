import Foundation

/// Unique names so that tests never share topics or client ids, even with other sessions.
public enum TestNames {
    /// A base topic no other test uses, e.g. `t-3f9a1c2b/lockbridge`.
    public static func baseTopic(_ label: String = "lb") -> String {
        "t\(UUID().uuidString.prefix(8).lowercased())/\(label)"
    }

    public static func clientID(_ label: String) -> String {
        "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
