public import Foundation
public import JSON

/// A result on `<base>/<lock id>/result` as a client reads it (``ResultPayload`` writes it).
public struct PublicResult: Sendable, Equatable {
    /// The command's `request_id`; `nil` only when the bridge could not read the payload.
    public var requestID: String?
    /// The command's name; `nil` when the payload named none that is known.
    public var command: String?
    /// Why it failed; `nil` for `"status":"ok"`.
    public var error: BridgeRequestError?
    public var at: Date
    /// The result of a repeated `request_id`, published again.
    public var duplicate: Bool

    public init(requestID: String?, command: String?, error: BridgeRequestError?, at: Date, duplicate: Bool = false) {
        self.requestID = requestID
        self.command = command
        self.error = error
        self.at = at
        self.duplicate = duplicate
    }

    public var isOK: Bool { error == nil }

    public init(payload: [UInt8]) throws(JSONError) {
        let o = try JSON.parseObject(payload, limits: CommandParser.limits)
        requestID = try o.optionalString("request_id")
        command = try o.optionalString("command")
        error = try BridgeRequestError.read(status: o)
        at = try o.time("at")
        duplicate = try o.optionalBool("duplicate") ?? false
    }
}
