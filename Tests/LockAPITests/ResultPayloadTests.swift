import Foundation
import LockAPI
import LockCore
import Testing

@Suite struct ResultPayloadTests {
    static let at = Date(timeIntervalSince1970: 1_795_600_800.123)

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func okResult() {
        let bytes = ResultPayload.bytes(requestID: "abc-1", command: "unlock", error: nil, at: Self.at)
        #expect(text(bytes)
            == #"{"request_id":"abc-1","command":"unlock","status":"ok","error":null,"at":"2026-11-25T10:00:00.123Z"}"#)
    }

    @Test func errorResultWithoutField() {
        let error = LockError(.weakCode, "code is an ascending sequence", rule: .ascendingSequence)
        let bytes = ResultPayload.bytes(requestID: "abc-2", command: "set_code", error: error, at: Self.at)
        #expect(text(bytes)
            == #"{"request_id":"abc-2","command":"set_code","status":"error","error":{"code":"weak_code","message":"code is an ascending sequence"},"at":"2026-11-25T10:00:00.123Z"}"#)
    }

    @Test func errorResultWithField() {
        let error = LockError(.invalidField, "slot must be an integer from 1 to 250", field: "slot")
        let bytes = ResultPayload.bytes(requestID: "r", command: "clear_code", error: error, at: Self.at)
        #expect(text(bytes)
            == #"{"request_id":"r","command":"clear_code","status":"error","error":{"code":"invalid_field","message":"slot must be an integer from 1 to 250","field":"slot"},"at":"2026-11-25T10:00:00.123Z"}"#)
    }

    @Test func duplicateOnlyWhenAsked() {
        let once = text(ResultPayload.bytes(requestID: "abc-1", command: "lock", error: nil, at: Self.at))
        let again = text(ResultPayload.bytes(requestID: "abc-1", command: "lock", error: nil, at: Self.at, duplicate: true))
        #expect(!once.contains("duplicate"))
        #expect(again
            == #"{"request_id":"abc-1","command":"lock","status":"ok","error":null,"at":"2026-11-25T10:00:00.123Z","duplicate":true}"#)
    }

    @Test func unparsablePayloadAnswersWithNullRequestID() throws {
        let rejection = try Cmd.rejection("{not json")
        let bytes = ResultPayload.bytes(for: rejection, assignedRequestID: "bridge-7", at: Self.at)
        #expect(text(bytes).hasPrefix(#"{"request_id":null,"command":null,"status":"error","error":{"code":"invalid_json","#))
    }

    @Test func readableRejectionEchoesTheAssignedID() throws {
        let rejection = try Cmd.rejection(#"{"command":"clear_code","slot":0}"#)
        let bytes = ResultPayload.bytes(for: rejection, assignedRequestID: "bridge-7", at: Self.at)
        #expect(text(bytes).hasPrefix(#"{"request_id":"bridge-7","command":"clear_code","status":"error","#))
    }

    @Test func clientRequestIDWinsOverAssigned() throws {
        let rejection = try Cmd.rejection(#"{"command":"clear_code","request_id":"mine","slot":0}"#)
        let bytes = ResultPayload.bytes(for: rejection, assignedRequestID: "bridge-7", at: Self.at)
        #expect(text(bytes).hasPrefix(#"{"request_id":"mine","command":"clear_code","#))
    }

    @Test func escapesTextButKeepsUnicode() {
        let error = LockError(.invalidField, #"a "quoted" / word ✓"#, field: "name")
        let bytes = ResultPayload.bytes(requestID: "r", command: "add_phone", error: error, at: Self.at)
        #expect(text(bytes).contains(#""message":"a \"quoted\" / word ✓""#))
    }
}
