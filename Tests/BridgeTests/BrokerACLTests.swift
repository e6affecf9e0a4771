import Foundation
import LockAPI
import MQTT
import Testing
import TestSupport

/// config/mosquitto.conf and config/mosquitto.acl as shipped: each user may do what its program
/// needs, and nothing else.
///
/// mosquitto drops a denied publish (an MQTT 5 QoS 1 publisher gets PUBACK 0x87) and grants any
/// subscription, delivering on it only what the user may read. So a denial is proven by order: a
/// user who may read the topic subscribes, the forbidden message goes out and is acknowledged
/// (the broker has routed it by then), then a marker the observer may read; once the marker has
/// arrived, the forbidden message never will. Every denial has its allowed twin in the same test.
@Suite struct BrokerACLTests {
    /// Who publishes, and who observes.
    struct Crew {
        let broker: Broker
        let clients: [String: MosquittoClient]
        /// One `#` subscription each: one stream keeps the broker's delivery order.
        let seen: [String: MessageCollector]

        /// Clients named for their roles, logged in as the ACL's users.
        static let roles = [
            "bridge": "lockbridge", "emulator": "lock-emulator", "automation": "automation",
            "automation2": "automation", "ha": "homeassistant", "admin": "admin",
        ]

        static func start() async throws -> Crew {
            let users = ShippedBroker.passwords()
            let broker = try await ShippedBroker.start(users: users)
            var clients: [String: MosquittoClient] = [:]
            var seen: [String: MessageCollector] = [:]
            for (role, user) in roles {
                let client = try await ShippedBroker.connect(broker, user, users)
                clients[role] = client
                seen[role] = try await MessageCollector(client, "#")
            }
            return Crew(broker: broker, clients: clients, seen: seen)
        }

        struct Outcome: Equatable, CustomStringConvertible {
            /// The broker answered the publish with 0x87 "not authorized".
            var refused: Bool
            /// The observer received it.
            var delivered: Bool
            var description: String { "refused: \(refused), delivered: \(delivered)" }
        }

        /// `publisher` sends a unique message to `topic`; then `marker` (a publisher and a topic
        /// the observer may read) sends one more. Says what became of the first once the marker is in.
        func send(_ topic: String, from publisher: String, to observer: String, marker: (String, String)? = nil) async throws -> Outcome {
            let payload = "m-\(UUID().uuidString)"
            var refused = false
            do {
                try await clients[publisher]!.publish(topic, text: payload)
            } catch let error as MQTTError where error.code == .publishRejected && error.reasonCode == 0x87 {
                refused = true
            }
            let (markerPublisher, markerTopic) = marker ?? (publisher, topic)
            let token = "marker-\(UUID().uuidString)"
            try await clients[markerPublisher]!.publish(markerTopic, text: token)
            _ = try await seen[observer]!.next(within: 5, "\(observer) to receive the marker on \(markerTopic)") { $0.text == token }
            return Outcome(refused: refused, delivered: seen[observer]!.messages.contains { $0.text == payload })
        }

        func stop() async throws {
            for client in clients.values { await client.disconnect() }
            try await broker.stop()
        }
    }

    static let allowed = Crew.Outcome(refused: false, delivered: true)
    static let forbiddenWrite = Crew.Outcome(refused: true, delivered: false)
    static let forbiddenRead = Crew.Outcome(refused: false, delivered: false)

    @Test func everyTopicTheProgramsUseIsAllowed() async throws {
        let crew = try await Crew.start()
        let cases: [(String, String, String)] = [
            // The bridge's public API, read by automations and Home Assistant.
            ("bridge", "lockbridge/t1/state", "automation"), ("bridge", "lockbridge/t1/availability", "automation"),
            ("bridge", "lockbridge/t1/credentials", "automation"), ("bridge", "lockbridge/t1/alert/battery", "automation"),
            ("bridge", "lockbridge/t1/event/access", "automation"), ("bridge", "lockbridge/t1/event/fault", "ha"),
            ("bridge", "lockbridge/t1/result", "automation"), ("bridge", "lockbridge/t1/result", "ha"),
            ("bridge", "lockbridge/bridge/state", "automation"), ("bridge", "lockbridge/bridge/state", "ha"),
            ("bridge", "lockbridge/bridge/info", "automation"), ("bridge", "lockbridge/bridge/response/health", "automation"),
            ("bridge", "lockbridge/reply/cli-1/abc", "automation"), ("bridge", "lockbridge/t1/state", "ha"),
            // The bridge's own fence, and the empty retained publish that clears a retained command.
            ("bridge", "lockbridge/bridge/fence", "bridge"), ("bridge", "lockbridge/t1/set", "bridge"),
            // The bridge to the locks, and to Home Assistant.
            ("bridge", "lockdev/t1/cmd", "emulator"), ("bridge", "lockdev/t1/resend", "emulator"),
            ("bridge", "homeassistant/lock/lockbridge_t1/lock/config", "ha"),
            ("bridge", "homeassistant/device/lockbridge_t1/config", "ha"),
            ("bridge", "lockbridge/t1/alert/duress", "automation"), ("bridge", "lockbridge/t1/alert/duress", "ha"),
            // The bridge reads back both discovery layouts at connect, to migrate an earlier run's.
            ("bridge", "homeassistant/lock/lockbridge_t1/lock/config", "bridge"),
            ("bridge", "homeassistant/device/lockbridge_t1/config", "bridge"),
            // The locks to the bridge.
            ("emulator", "lockdev/t1/state", "bridge"), ("emulator", "lockdev/t1/heartbeat", "bridge"),
            ("emulator", "lockdev/t1/event", "bridge"), ("emulator", "lockdev/t1/ack", "bridge"),
            ("emulator", "lockdev/_emulator/emu-1/status", "bridge"),
            // Automations and Home Assistant to the bridge.
            ("automation", "lockbridge/t1/set", "bridge"), ("automation", "lockbridge/bridge/request/health", "bridge"),
            ("ha", "lockbridge/t1/set", "bridge"), ("ha", "homeassistant/status", "bridge"),
            // Administrators' access plans, and their answers, status and events.
            ("admin", "lockbridge/bridge/request/plan/apply", "bridge"), ("admin", "lockbridge/bridge/request/health", "bridge"),
            ("bridge", "lockbridge/bridge/response/plan/apply", "admin"), ("bridge", "lockbridge/bridge/plan/cleaning", "admin"),
            ("bridge", "lockbridge/bridge/event/plan", "admin"), ("bridge", "lockbridge/t1/credentials", "admin"),
            // Several bridges: each hears the others' delayed Will on bridge/state.
            ("bridge", "lockbridge/bridge/state", "bridge"),
        ]
        for (publisher, topic, observer) in cases {
            let outcome = try await crew.send(topic, from: publisher, to: observer)
            #expect(outcome == Self.allowed, "\(publisher) → \(topic) → \(observer)")
        }
        try await crew.stop()
    }

    /// Nobody under the shipped ACL can act on a lock's physical world: `sim` is the emulator's
    /// to read (only with --enable-sim) and no user's to write. The marker that proves the
    /// emulator would have seen it is a command from the bridge, which it may read.
    @Test func nobodyCanWriteTheSimulatedWorld() async throws {
        let crew = try await Crew.start()
        for forger in ["bridge", "automation", "ha", "emulator"] {
            let outcome = try await crew.send(
                "lockdev/t1/sim", from: forger, to: "emulator", marker: ("bridge", "lockdev/t1/cmd"))
            #expect(outcome == Self.forbiddenWrite, "\(forger) → lockdev/t1/sim")
        }
        try await crew.stop()
    }

    @Test func forgedPublishesAreRefusedAndNeverDelivered() async throws {
        let crew = try await Crew.start()
        // (forger, topic, a user who may read the topic, the topic's rightful writer)
        let cases: [(String, String, String, String)] = [
            // The locks cannot touch the public API: no forged state, commands or requests.
            ("emulator", "lockbridge/t1/state", "automation", "bridge"),
            ("emulator", "lockbridge/t1/set", "bridge", "automation"),
            ("emulator", "lockbridge/bridge/request/health", "bridge", "automation"),
            ("emulator", "homeassistant/status", "bridge", "ha"),
            // Nor send commands to another lock.
            ("emulator", "lockdev/t1/cmd", "emulator", "bridge"),
            // Automations cannot reach the device link at all.
            ("automation", "lockdev/t1/cmd", "emulator", "bridge"),
            ("automation", "lockdev/t1/state", "bridge", "emulator"),
            ("automation", "lockdev/t1/event", "bridge", "emulator"),
            // Nor speak for the bridge: state, results, bridge state, its fence, replies, discovery.
            ("automation", "lockbridge/t1/state", "automation2", "bridge"),
            // Only administrators apply plans, and only the bridge speaks for them.
            ("automation", "lockbridge/bridge/request/plan/apply", "bridge", "bridge"),
            ("ha", "lockbridge/bridge/request/plan/remove", "bridge", "bridge"),
            ("admin", "lockbridge/bridge/plan/cleaning", "admin", "bridge"),
            ("automation", "lockbridge/t1/result", "automation2", "bridge"),
            ("automation", "lockbridge/bridge/state", "ha", "bridge"),
            ("automation", "lockbridge/bridge/fence", "bridge", "bridge"),
            ("automation", "lockbridge/reply/cli-1/abc", "automation2", "bridge"),
            ("automation", "homeassistant/lock/lockbridge_t1/lock/config", "ha", "bridge"),
            ("automation", "homeassistant/device/lockbridge_t1/config", "ha", "bridge"),
            ("ha", "lockbridge/t1/state", "automation", "bridge"),
            ("ha", "lockdev/t1/cmd", "emulator", "bridge"),
            // The bridge cannot pose as a lock.
            ("bridge", "lockdev/t1/state", "bridge", "emulator"),
            ("bridge", "lockdev/t1/ack", "bridge", "emulator"),
        ]
        for (forger, topic, observer, writer) in cases {
            let outcome = try await crew.send(topic, from: forger, to: observer, marker: (writer, topic))
            #expect(outcome == Self.forbiddenWrite, "\(forger) → \(topic) (observed by \(observer))")
        }
        // The broker logs each denial (the end-to-end test relies on that line).
        #expect(crew.broker.log.contains("Denied PUBLISH"))
        try await crew.stop()
    }

    @Test func readsOutsideTheACLDeliverNothing() async throws {
        let crew = try await Crew.start()
        // (publisher, topic, a reader who must not see it, a marker the reader may read)
        let cases: [(String, String, String, (String, String))] = [
            // The locks see nothing of the public API, commands (and their PINs) included.
            ("bridge", "lockbridge/t1/state", "emulator", ("bridge", "lockdev/t1/cmd")),
            ("automation", "lockbridge/t1/set", "emulator", ("bridge", "lockdev/t1/cmd")),
            // Automations see nothing of the device link.
            ("emulator", "lockdev/t1/state", "automation", ("bridge", "lockbridge/t1/state")),
            ("bridge", "lockdev/t1/cmd", "automation", ("bridge", "lockbridge/t1/state")),
            ("emulator", "lockdev/t1/state", "ha", ("bridge", "lockbridge/t1/state")),
            // Nobody but the bridge reads a command, so no one sees the codes in another's commands.
            ("automation", "lockbridge/t1/set", "automation2", ("bridge", "lockbridge/t1/result")),
            ("automation", "lockbridge/t1/set", "ha", ("bridge", "lockbridge/t1/state")),
            ("ha", "lockbridge/t1/set", "automation", ("bridge", "lockbridge/t1/state")),
            // Discovery configs are Home Assistant's business.
            ("bridge", "homeassistant/lock/lockbridge_t1/lock/config", "automation", ("bridge", "lockbridge/t1/state")),
            ("bridge", "homeassistant/device/lockbridge_t1/config", "automation", ("bridge", "lockbridge/t1/state")),
        ]
        for (publisher, topic, reader, marker) in cases {
            let outcome = try await crew.send(topic, from: publisher, to: reader, marker: marker)
            #expect(outcome == Self.forbiddenRead, "\(publisher) → \(topic) must not reach \(reader)")
        }
        try await crew.stop()
    }

    @Test func anonymousClientsAndWrongPasswordsAreRefused() async throws {
        let users = ShippedBroker.passwords()
        let broker = try await ShippedBroker.start(users: users)
        let anonymous = await #expect(throws: MQTTError.self) { try await TestClients.connect(broker, "anonymous") }
        #expect(anonymous?.code == .notAuthorized)
        let wrong = await #expect(throws: MQTTError.self) {
            try await TestClients.connect(broker, "wrong") {
                $0.username = "lockbridge"
                $0.password = "t-not-the-password"
            }
        }
        #expect(wrong?.code == .notAuthorized)
        let unknown = await #expect(throws: MQTTError.self) {
            try await TestClients.connect(broker, "unknown") {
                $0.username = "nobody"
                $0.password = users["automation"]
            }
        }
        #expect(unknown?.code == .notAuthorized)
        // The right password works (so the refusals above are about the credentials).
        let bridge = try await ShippedBroker.connect(broker, "lockbridge", users)
        await bridge.disconnect()
        try await broker.stop()
    }

    /// The real programs, each logged in as its user: a lock comes online, a command from an
    /// automation is answered, Home Assistant gets its discovery config, the command-line client
    /// works as an automation user, and the broker denied nothing they did.
    @Test func bridgeAndEmulatorWorkThroughTheShippedACL() async throws {
        let users = ShippedBroker.passwords()
        let broker = try await ShippedBroker.start(users: users)
        let directory = broker.directory
        let keyFile = directory.appendingPathComponent("device.key").path
        try DeviceSigner.newKeyFileContents().write(toFile: keyFile, atomically: true, encoding: .utf8)
        let passwordFile = directory.appendingPathComponent("bridge.password").path
        try "\(users["lockbridge"]!)\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)

        let automation = try await ShippedBroker.connect(broker, "automation", users)
        let api = try await MessageCollector(automation, "lockbridge/#")
        let homeAssistant = try await ShippedBroker.connect(broker, "homeassistant", users)
        let discovery = try await MessageCollector(homeAssistant, "homeassistant/#")

        // The emulator's password comes from its environment variable, the bridge's from a file.
        let emulator = try ChildProcess("lock-emulator", [
            "--broker", "mqtt://lock-emulator@127.0.0.1:\(broker.port)", "--lock", "front-door",
            "--state-dir", directory.appendingPathComponent("emulator").path, "--device-key-file", keyFile,
            "--heartbeat-interval", "0.5", "--tick-interval", "0.05", "--hash-iterations", "64", "--instance", "emu-acl",
        ], environment: ["LOCK_EMULATOR_PASSWORD": users["lock-emulator"]!])
        let bridge = try ChildProcess("lockbridge", [
            "run", "--broker", "mqtt://lockbridge@127.0.0.1:\(broker.port)", "--password-file", passwordFile,
            "--data-dir", directory.appendingPathComponent("bridge").path, "--device-key-file", keyFile,
            "--tick-interval", "0.1",
        ])

        do {
            _ = try await api.next(within: 20, "front-door online") {
                $0.topic == "lockbridge/front-door/availability" && $0.text == "online"
            }
            _ = try await discovery.next(within: 10, "the lock's discovery config") {
                $0.topic.hasPrefix("homeassistant/device/") && $0.topic.hasSuffix("/config") && !$0.payload.isEmpty
            }
            try await automation.publish("lockbridge/front-door/set", text: #"{"command":"unlock","request_id":"acl-e2e-1"}"#)
            let result = try await api.next(within: 10, "the command's result") {
                $0.topic == "lockbridge/front-door/result" && $0.text?.contains("acl-e2e-1") == true
            }
            #expect(result.text?.contains(#""status":"ok""#) == true, "result: \(result.text ?? "")")
            _ = try await api.next(within: 10, "the unlocked state") {
                $0.topic == "lockbridge/front-door/state" && $0.text?.contains(#""lock":"unlocked""#) == true
            }
            // A bridge request answered through the ACL as well.
            try await automation.publish("lockbridge/bridge/request/health", text: #"{"transaction":"acl-1"}"#)
            _ = try await api.next(within: 10, "the health response") {
                $0.topic == "lockbridge/bridge/response/health" && $0.text?.contains("acl-1") == true
            }
            // The command-line client, logged in as an automation user: status, unlock, history.
            let cli = ["LOCKBRIDGE_BROKER": "mqtt://automation@127.0.0.1:\(broker.port)", "LOCKBRIDGE_PASSWORD": users["automation"]!]
            for arguments in [["status"], ["lock", "front-door"], ["history", "front-door", "--limit", "5"], ["codes", "list", "front-door"]] {
                let run = try ChildProcess("lockbridge", arguments, environment: cli)
                #expect(try await run.waitForExit(within: 20) == 0, "lockbridge \(arguments): \(run.text)")
                #expect(!run.text.contains(users["automation"]!))
            }
        } catch {
            Issue.record("bridge output:\n\(bridge.text)\nemulator output:\n\(emulator.text)\nbroker log:\n\(broker.log.suffix(4000))")
            throw error
        }
        let denied = broker.log.split(separator: "\n").filter { $0.contains("Denied") }
        #expect(denied.isEmpty, "the broker denied: \(denied.joined(separator: "\n"))")

        bridge.send(SIGTERM)
        emulator.send(SIGTERM)
        #expect(try await bridge.waitForExit(within: 15) == 0)
        #expect(try await emulator.waitForExit(within: 15) == 0)
        await automation.disconnect()
        await homeAssistant.disconnect()
        try await broker.stop()
    }
}
