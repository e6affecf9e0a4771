@testable import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Bridge requests, dispatched from the table, with what each answers and refuses.
@Suite struct RequestTests {
    func ask(_ h: inout CoreHarness, _ name: String, _ json: String = "{}") -> (JSONObject?, [BridgeEffect]) {
        let out = h.handle(.request(RequestMessage(name: name, payload: Array(json.utf8), responseTopic: "lockbridge/reply/t", correlation: [7])))
        return (out.json("lockbridge/bridge/response/\(name)").last, out)
    }

    @Test func locksListsEveryLockOrOneWithItsAvailability() {
        var h = CoreHarness()
        h.report("a")
        h.report("b")
        let (all, out) = ask(&h, "locks", #"{"transaction":"t1"}"#)
        #expect(all?["data"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == ["a", "b"])
        #expect(all?["transaction"]?.stringValue == "t1" && all?["status"]?.stringValue == "ok")
        #expect(out.publications.contains { $0.topic == "lockbridge/reply/t" && $0.correlation == [7] })
        let (one, _) = ask(&h, "locks", #"{"lock":"b"}"#)
        #expect(one?["data"]?.arrayValue?.first?.objectValue?["availability"]?.stringValue == "online")
        let (missing, _) = ask(&h, "locks", #"{"lock":"zz"}"#)
        #expect(missing?["error"]?.objectValue?["code"]?.stringValue == "not_found")
    }

    @Test func credentialsOfOneLock() {
        var h = CoreHarness()
        h.report("a")
        let (answer, _) = ask(&h, "credentials", #"{"lock":"a"}"#)
        #expect(answer?["data"]?.objectValue?["codes"]?.arrayValue == [])
        let (bad, _) = ask(&h, "credentials", #"{"lock":"NOT A LOCK"}"#)
        #expect(bad?["error"]?.objectValue?["code"]?.stringValue == "invalid_field")
    }

    @Test func healthAndHistoryAreAnsweredByTheExecutorFromTheStore() {
        var h = CoreHarness()
        h.report("a")
        let (_, health) = ask(&h, "health")
        guard case .answerHealth(let answer) = health.first else {
            Issue.record("health is not deferred to the executor")
            return
        }
        #expect(answer.knownLocks == 1 && answer.onlineLocks == 1 && answer.route.replyTopic == "lockbridge/reply/t")
        let (_, history) = ask(&h, "history", #"{"lock":"a","limit":5}"#)
        guard case .answerHistory(let query) = history.first else {
            Issue.record("history is not deferred to the executor")
            return
        }
        #expect(query.lock == "a" && query.limit == 5)
        for bad in [#"{}"#, #"{"lock":"a","limit":0}"#, #"{"lock":"a","since":"yesterday"}"#] {
            #expect(ask(&h, "history", bad).0?["error"]?.objectValue?["code"]?.stringValue == "invalid_field")
        }
    }

    @Test func anUnknownRequestNamesTheKnownOnes() {
        var h = CoreHarness()
        let (answer, _) = ask(&h, "dance")
        #expect(answer?["error"]?.objectValue?["code"]?.stringValue == "unknown_request")
        #expect(answer?["error"]?.objectValue?["message"]?.stringValue?.contains("history") == true)
    }

    @Test func everyConnectSendsTheFenceFirstThenOnlineAndEveryRetainedTopic() {
        var h = CoreHarness()
        h.report("a")
        let topics = h.handle(.connected).publications.map(\.topic)
        #expect(topics.first == "lockbridge/bridge/fence")
        #expect(topics.dropFirst().first == "lockbridge/bridge/state")
        #expect(topics.contains("lockbridge/a/state") && topics.contains("lockbridge/a/credentials") && topics.contains("lockbridge/bridge/info"))
    }

    @Test func savedLocksComeBackOfflineWithTheirSequence() {
        var first = CoreHarness()
        first.report("a")
        first.act("a", .key(.unlock))
        guard case .save(let saved) = first.handle(.save(all: true)).first else {
            Issue.record("no save effect")
            return
        }
        let stored = StoredState(locks: Dictionary(uniqueKeysWithValues: saved.map { ($0.lock.rawValue, $0.state) }), sequences: ["a": (epoch: 1, seq: 1)])
        var second = CoreHarness(stored: stored)
        let announce = second.handle(.connected)
        #expect(announce.publications.first { $0.topic == "lockbridge/a/availability" }?.text == "offline")
        #expect(announce.json("lockbridge/a/state").last?["lock"]?.stringValue == "unlocked")
        // The same lock reports again; its next event is 2, not a new start.
        second.locks["a"] = first.locks["a"]
        let again = second.act("a", .key(.lock))
        #expect(again.events.filter { $0.category == "access" }.map(\.seq) == [2])
    }
}

/// Everything the core publishes is in the topic catalogue, with the retain flag it lists.
@Suite struct CatalogueTests {
    @Test(arguments: DiscoveryMode.allCases)
    func everyPublicationOfABusyRunIsCataloguedWithItsRetainFlag(_ mode: DiscoveryMode) {
        var h = CoreHarness { $0.discoveryMode = mode }
        h.connect()
        h.report("door")
        h.roundTrip("door", #"{"command":"set_code","slot":2,"code":"802514","name":"Walker"}"#)
        h.act("door", .overrideKey)
        h.command("door", #"{"command":"unlock"}"#, retained: true)
        h.command("nobody", #"{"command":"unlock"}"#, reply: "lockbridge/reply/x")
        h.handle(.request(RequestMessage(name: "locks", payload: Array("{}".utf8))))
        let plan = #"{"plan": {"name": "p", "grants": [{"name": "G", "code": "305817", "locks": ["door"]}]}, "issued_at": "\#(RFC3339.format(h.now))"}"#
        h.deliverToLocks(h.handle(.request(RequestMessage(name: "plan/apply", payload: Array(plan.utf8)))))
        h.handle(.homeAssistantOnline)
        h.advance(4)
        h.handle(.tick)
        let publications = h.effects.publications + h.effects.events.map { Publication(topic: $0.topic, payload: $0.payload) }
        #expect(publications.count > 30)
        #expect(publications.contains { $0.topic == "lockbridge/bridge/plan/p" } && publications.contains { $0.topic == "lockbridge/bridge/event/plan" })
        #expect(publications.contains { $0.topic.hasPrefix("homeassistant/\(mode == .device ? "device" : "lock")/") })
        for publication in publications {
            let entry = TopicCatalogue.entry(for: publication.topic, base: "lockbridge", prefix: "lockdev")
            #expect(entry != nil, "\(publication.topic) is not in the catalogue")
            // A retained entry may also be cleared (empty payload, retained); the clear of a retained command is one.
            if let entry, !(publication.payload.isEmpty && publication.retain) {
                #expect(entry.retained == publication.retain, "\(publication.topic): retain \(publication.retain), catalogue \(entry.retained)")
            }
        }
    }
}

@Suite struct RequestTableTests {
    @Test func theTableAnswersExactlyTheRequestsTheContractNames() {
        #expect(BridgeMachine.requestHandlers.keys.sorted() == BridgeRequest.names)
    }
}
