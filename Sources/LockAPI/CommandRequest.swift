public import Foundation

/// A command on `<base>/<lock id>/set` that passed every check the payload alone allows.
///
/// What needs the lock or the bridge's memory (retain flag, fence, duplicate `request_id`,
/// the code requirement, `confirm` against the lock id) is the bridge's to check next.
public struct CommandRequest: Sendable, Equatable {
    /// The client's `request_id`; `nil` when it sent none (the bridge then assigns one).
    public var requestID: String?
    /// When the client issued the command; `nil` when it did not say (always for plain payloads).
    public var issuedAt: Date?
    /// The remote-operation code, when one was given. For `set_code` and `set_override_code` it
    /// comes from `auth_code`, because their `code` is the new code.
    public var code: SecretCode?
    /// What is asked.
    public var action: PublicAction
    /// Whether it came as a plain `LOCK`, `UNLOCK` or `OPEN` payload rather than JSON.
    public var isPlain: Bool

    /// Creates a request.
    public init(
        requestID: String? = nil, issuedAt: Date? = nil, code: SecretCode? = nil, action: PublicAction,
        isPlain: Bool = false
    ) {
        self.requestID = requestID
        self.issuedAt = issuedAt
        self.code = code
        self.action = action
        self.isPlain = isPlain
    }
}
