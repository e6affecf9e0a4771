public import LockCore

/// A command payload refused before it reached the bridge's logic, with what the `result` needs.
///
/// Its error never carries a code, and neither do its descriptions.
public struct CommandRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The payload's `request_id` when it could be read and is valid; `nil` otherwise
    /// (unparsable payloads must answer with `request_id: null`).
    public var requestID: String?
    /// The spec name of the command when the payload named a known one; `nil` otherwise.
    public var command: String?
    /// Why: `invalid_json`, `invalid_command`, `invalid_field` (with `field`), `expired` or `weak_code`.
    public var error: LockError

    /// Creates a rejection.
    public init(requestID: String? = nil, command: String? = nil, error: LockError) {
        self.requestID = requestID
        self.command = command
        self.error = error
    }

    /// `command: code: message`, e.g. `set_code: weak_code: code is an ascending sequence`.
    public var description: String { "\(command ?? "?"): \(error)" }
}
