import LockAPI
import Testing

@Suite struct LockIDTests {
    @Test(arguments: ["front-door", "a", "0", "garage_2", String(repeating: "x", count: 64)])
    func acceptsValidIDs(_ text: String) {
        #expect(LockID(text)?.rawValue == text)
    }

    @Test(arguments: ["", "Front", "-door", "_x", "a/b", "a+b", "a#", "bridge", "reply", "dør", String(repeating: "x", count: 65)])
    func rejectsInvalidIDs(_ text: String) {
        #expect(LockID(text) == nil)
    }
}

@Suite struct PublicTopicTests {
    let topics = PublicTopics(base: "lockbridge")

    @Test func buildsLockTopics() throws {
        let id = try #require(LockID("front-door"))
        #expect(topics.lock(id, .state) == "lockbridge/front-door/state")
        #expect(topics.lock(id, .batteryAlert) == "lockbridge/front-door/alert/battery")
        #expect(topics.lock(id, .accessEvent) == "lockbridge/front-door/event/access")
        #expect(topics.bridgeState == "lockbridge/bridge/state")
        #expect(topics.bridgeResponse("health") == "lockbridge/bridge/response/health")
    }

    @Test func parsesCommandTopics() {
        #expect(topics.commandTarget("lockbridge/front-door/set") == .lock(LockID("front-door")!))
        #expect(topics.commandTarget("lockbridge/Front Door/set") == .invalid("Front Door"))
        #expect(topics.commandTarget("lockbridge/bridge/set") == .invalid("bridge"))
        #expect(topics.commandTarget("lockbridge/a/b/set") == nil)
        #expect(topics.commandTarget("other/front-door/set") == nil)
        #expect(topics.commandTarget("lockbridge/front-door/state") == nil)
    }

    @Test func replyTopicsStayUnderTheBase() {
        #expect(topics.isReplyTopic("lockbridge/reply/cli-42"))
        #expect(!topics.isReplyTopic("lockbridge/reply/"))
        #expect(!topics.isReplyTopic("lockbridge/front-door/set"))
        #expect(!topics.isReplyTopic("elsewhere/reply/x"))
        #expect(topics.requestName("lockbridge/bridge/request/health") == "health")
        #expect(topics.requestName("lockbridge/bridge/request/a/b") == nil)
    }
}

@Suite struct DeviceTopicTests {
    let topics = DeviceTopics(prefix: "lockdev")

    @Test func roundTripsEveryChannel() throws {
        let id = try #require(LockID("garage"))
        for channel in DeviceTopics.Channel.allCases {
            let parsed = try #require(topics.parse(topics.lock(id, channel)))
            #expect(parsed.0 == id)
            #expect(parsed.1 == channel)
        }
        #expect(topics.parse("lockdev/garage/unknown") == nil)
        #expect(topics.parse("lockdev/_emulator/x/status") == nil)
        #expect(topics.emulatorInstance(topics.emulatorStatus("emu-1")) == "emu-1")
    }
}
