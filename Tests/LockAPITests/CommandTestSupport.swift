import Foundation
import LockAPI
import LockCore
import Testing

/// Shared clock, settings and helpers for the command parser tests.
enum Cmd {
    /// 2026-11-25T10:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_600_800)
    static let maxAge: TimeInterval = 30
    /// A strong keypad code and a strong override code; the secrecy tests look for them.
    static let pin = "246813"
    static let overridePin = "73915084"

    static func parse(_ payload: String, minCodeLength: Int = 6) -> Result<CommandRequest, CommandRejection> {
        parse(Array(payload.utf8), minCodeLength: minCodeLength)
    }

    static func parse(_ payload: [UInt8], minCodeLength: Int = 6) -> Result<CommandRequest, CommandRejection> {
        CommandParser.parse(payload, now: now, maxAge: maxAge, minCodeLength: minCodeLength)
    }

    /// The request, or a test failure naming the rejection.
    static func request(
        _ payload: String, minCodeLength: Int = 6, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CommandRequest {
        switch parse(payload, minCodeLength: minCodeLength) {
        case .success(let request): return request
        case .failure(let rejection):
            Issue.record("rejected: \(rejection)", sourceLocation: sourceLocation)
            throw rejection
        }
    }

    /// The rejection, or a test failure when the payload was accepted.
    static func rejection(
        _ payload: String, minCodeLength: Int = 6, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CommandRejection {
        try rejection(Array(payload.utf8), minCodeLength: minCodeLength, sourceLocation: sourceLocation)
    }

    static func rejection(
        _ payload: [UInt8], minCodeLength: Int = 6, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CommandRejection {
        switch parse(payload, minCodeLength: minCodeLength) {
        case .success(let request):
            Issue.record("accepted: \(request.action.name)", sourceLocation: sourceLocation)
            throw CancellationError()
        case .failure(let rejection): return rejection
        }
    }

    /// `issued_at` `seconds` after ``now`` (negative: before), with `Z` or `+00:00`.
    static func stamp(_ seconds: TimeInterval, zulu: Bool = true) -> String {
        let text = RFC3339.format(now.addingTimeInterval(seconds))
        return zulu ? text : String(text.dropLast()) + "+00:00"
    }
}
