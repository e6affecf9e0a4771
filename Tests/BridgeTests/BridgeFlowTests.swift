import Foundation
import JSON
import LockAPI
import MQTT
import Testing
import TestSupport

/// The bridge end to end: real broker, real emulator, real bridge.
@Suite struct BridgeFlowTests {
    @Test func locksComeAliveWithStateInfoAndAccessEvents() async throws {
        let h = try await BridgeHarness.start(["front-door", "garage"])
        let info = try await h.next("bridge/info", "bridge/info listing both locks") {
            $0["locks"]?.arrayValue?.compactMap(\.stringValue).sorted() == ["front-door", "garage"]
        }
        #expect(info["base_topic"]?.stringValue == h.base)
        let state = try await h.state("front-door")
        #expect(state["lock"]?.stringValue == "locked")
        #expect(state["door"]?.stringValue == "closed")
        #expect(state["battery"]?.objectValue?["level"]?.stringValue == "ok")
        #expect(state["connectivity"]?.objectValue?["wifi"]?.stringValue == "up")
        #expect(state["access"]?.objectValue?["mechanical_key"]?.objectValue?["usable"]?.boolValue == true)
        let credentials = try await h.next("front-door/credentials", "credentials") { _ in true }
        #expect(credentials["codes"]?.arrayValue?.isEmpty == true)
        let alert = try await h.next("front-door/alert/battery", "the first battery alert") { _ in true }
        #expect(alert["level"]?.stringValue == "ok")
        #expect(alert["percent"]?.intValue == 100)

        try await h.sim("front-door", #"{"action":"key","turn":"unlock"}"#)
        let event = try await h.next("front-door/event/access", "a key unlock") { $0["method"]?.stringValue == "mechanical_key" }
        #expect(event["event_type"]?.stringValue == "unlock")
        #expect(event["credential"]?.objectValue?["type"]?.stringValue == "key")
        #expect(event["seq"]?.intValue == 1)
        #expect(event["epoch"]?.intValue != nil)
        _ = try await h.state("front-door", "unlocked") { $0["lock"]?.stringValue == "unlocked" }
        try await h.stop()
    }

    @Test func everyCommandGetsOneCorrelatedResult() async throws {
        let h = try await BridgeHarness.start(["porch"])
        let ok = try await h.command("porch", #"{"command":"unlock","request_id":"r-1","issued_at":"\#(BridgeHarness.issuedNow())"}"#)
        #expect(ok["status"]?.stringValue == "ok")
        #expect(ok["command"]?.stringValue == "unlock")
        #expect(ok["error"]?.isNull == true)
        let event = try await h.next("porch/event/access", "the remote unlock") { $0["method"]?.stringValue == "remote" }
        #expect(event["request_id"]?.stringValue == "r-1")

        // Home Assistant's plain payload: the bridge assigns the request id.
        let plain = try await h.command("porch", "LOCK")
        #expect(plain["status"]?.stringValue == "ok")
        #expect(plain["request_id"]?.stringValue?.isEmpty == false)
        #expect(plain["request_id"]?.stringValue != "r-1")

        // Back to back: the second waits for the first instead of being refused.
        try await h.client.publish("\(h.base)/porch/set", text: #"{"command":"unlock","request_id":"q-1"}"#)
        try await h.client.publish("\(h.base)/porch/set", text: #"{"command":"lock","request_id":"q-2"}"#)
        let first = try await h.next("porch/result", "q-1") { $0["request_id"]?.stringValue == "q-1" }
        let second = try await h.next("porch/result", "q-2") { $0["request_id"]?.stringValue == "q-2" }
        #expect(first["status"]?.stringValue == "ok")
        #expect(second["status"]?.stringValue == "ok")

        // MQTT 5 request/response: answered on the response topic with the correlation data.
        let replies = try await MessageCollector(h.client, "\(h.base)/reply/#")
        try await h.client.publish(
            "\(h.base)/porch/set", text: #"{"command":"refresh","request_id":"r-2"}"#,
            properties: MQTTProperties(responseTopic: "\(h.base)/reply/t1", correlationData: [9, 8, 7]))
        let reply = try await replies.next(within: 10, "the MQTT 5 reply")
        #expect(reply.properties.correlationData == [9, 8, 7])
        #expect(try JSON.parseObject(reply.payload)["request_id"]?.stringValue == "r-2")
        try await h.stop()
    }

    @Test func sigtermSaysOfflineAndExitsZero() async throws {
        let h = try await BridgeHarness.start(["exit"])
        h.bridge?.send(SIGTERM)
        #expect(try await h.bridge?.waitForExit(within: 15) == 0)
        try await waitUntil(5, "bridge/state offline") { h.messages("bridge/state").last?.text == "offline" }
        // Retained, so a client that connects later sees it too.
        let late = try await TestClients.connect(h.broker, "late")
        let state = try await MessageCollector(late, "\(h.base)/bridge/state")
        #expect(try await state.next().text == "offline")
        await late.disconnect()
        try await h.stop()
    }
}
