@testable import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Logging
import Locking

/// Drives a ``BridgeMachine`` with inputs at a clock the test moves, with no broker and no store.
/// Lock snapshots come from a real `Lock` (LockCore), so they are what an emulator would send.
struct CoreHarness {
    var machine: BridgeMachine
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    /// Every effect so far, in order.
    var effects: [BridgeEffect] = []
    var locks: [String: Lock] = [:]
    let configuration: BridgeConfiguration
    let signer = DeviceSigner(key: Array(repeating: 9, count: 32))

    init(_ change: (inout BridgeConfiguration) -> Void = { _ in }, stored: StoredState = StoredState()) {
        var configuration = BridgeConfiguration()
        configuration.commandTimeout = 5
        configuration.offlineAfter = 3
        change(&configuration)
        self.configuration = configuration
        let counter = Counter()
        machine = BridgeMachine(
            configuration: configuration, signer: signer, logger: Logger(label: "core-test"), stored: stored, now: now,
            newID: { counter.next() })
    }

    var base: String { configuration.baseTopic }

    /// Handles one input now; returns its effects (also kept in `effects`).
    @discardableResult
    mutating func handle(_ input: BridgeInput) -> [BridgeEffect] {
        let out = machine.handle(input, now: now)
        effects += out
        return out
    }

    mutating func advance(_ seconds: TimeInterval) { now = now.addingTimeInterval(seconds) }

    /// A lock that reports a live snapshot (and so comes online); `prepare` changes it first.
    @discardableResult
    mutating func report(_ id: String, retained: Bool = false, _ prepare: (inout Lock) -> Void = { _ in }) -> [BridgeEffect] {
        var lock = locks[id] ?? Lock(salt: Array(repeating: 1, count: 16), hasher: CodeHasher(iterations: 2))
        prepare(&lock)
        locks[id] = lock
        let snapshot = DeviceSnapshot(lock, emulator: "emu-1", lockTime: now, wallTime: now)
        return handle(.deviceState(LockID(id)!, payload: try! snapshot.payload(), retained: retained))
    }

    /// Runs `input` through the harness's `Lock` of `id` (a sim action) and reports its events and snapshot.
    @discardableResult
    mutating func act(_ id: String, _ input: LockInput) -> [BridgeEffect] {
        var lock = locks[id]!
        let outputs = lock.handle(input, now: now)
        locks[id] = lock
        var out: [BridgeEffect] = []
        for case .event(let event) in outputs { out += handle(.deviceEvent(LockID(id)!, payload: Self.devicePayload(event))) }
        return out + report(id)
    }

    static func devicePayload(_ event: LockEvent) -> [UInt8] {
        var o = EventPayload.object(event)
        o["v"] = .int(Int64(DeviceTopics.version))
        o["category"] = .string(EventPayload.category(event))
        return try! o.serializedBytes()
    }

    /// A command on `<base>/<id>/set`.
    @discardableResult
    mutating func command(_ id: String, _ json: String, retained: Bool = false, reply: String? = nil) -> [BridgeEffect] {
        handle(.command(CommandMessage(topic: "\(base)/\(id)/set", payload: Array(json.utf8), retained: retained, responseTopic: reply, correlation: reply.map { _ in [1, 2] })))
    }

    /// Makes the fence pass, as after a connect whose fence came back.
    mutating func connect() {
        let out = handle(.connected)
        guard let fence = out.publications.first(where: { $0.topic == "\(base)/bridge/fence" }) else { return }
        handle(.fence(token: fence.text))
    }
}

extension Array where Element == BridgeEffect {
    /// What is published, at once or paced, in order.
    var publications: [Publication] {
        flatMap { effect -> [Publication] in
            switch effect {
            case .publish(let p): [p]
            case .publishPaced(let list): list.flatMap(\.publications)
            default: []
            }
        }
    }

    var events: [AuditedEvent] {
        compactMap {
            if case .event(let e) = $0 { return e }
            return nil
        }
    }

    var remembered: [RememberedResult] {
        compactMap {
            if case .remember(let r) = $0 { return r }
            return nil
        }
    }

    /// The JSON of every publication on `topic`.
    func json(_ topic: String) -> [JSONObject] { publications.filter { $0.topic == topic }.compactMap { try? JSON.parseObject($0.payload) } }

    /// The faults raised (`+name`) and cleared (`-name`) by bridge fault events, in order.
    var faultChanges: [String] {
        events.filter { $0.category == "fault" }.compactMap { e in
            guard let o = try? JSON.parseObject(e.payload), let fault = o["fault"]?.stringValue else { return nil }
            return (o["event_type"]?.stringValue == "fault_raised" ? "+" : "-") + fault
        }
    }
}

/// Deterministic ids: 1, 2, 3, …
final class Counter: Sendable {
    private let value = Locked(0)
    func next() -> String { value.withLock { $0 += 1; return "id-\($0)" } }
}

extension CoreHarness {
    var machineCounters: BridgeCounters { machine.counters }
}

extension CoreHarness {
    /// Every signed device command in `effects` goes to the harness's `Lock`, which answers with
    /// its events, a new snapshot and its ack, as an emulator would; returns what the bridge did then.
    @discardableResult
    mutating func deliverToLocks(_ effects: [BridgeEffect]) -> [BridgeEffect] {
        var out: [BridgeEffect] = []
        for publication in effects.publications where publication.topic.hasPrefix("lockdev/") && publication.topic.hasSuffix("/cmd") {
            let id = String(publication.topic.split(separator: "/")[1])
            guard signer.verify(lock: LockID(id)!, payload: publication.payload, mac: publication.signature ?? ""),
                var lock = locks[id], let command = try? DeviceCommand.parse(publication.payload, lock: LockID(id)!, seal: signer.codeSeal, hash: lock.hash(code:))
            else { continue }
            let outputs = lock.handle(command.input, now: now)
            locks[id] = lock
            for case .event(let event) in outputs { out += handle(.deviceEvent(LockID(id)!, payload: Self.devicePayload(event))) }
            // Like the emulator: a probe is only acknowledged, with no snapshot of its own.
            if command.command != .ping || outputs.contains(where: { if case .event = $0 { true } else { false } }) { out += report(id) }
            for case .result(let result) in outputs { out += handle(.deviceAck(LockID(id)!, payload: try! DeviceAck.payload(result))) }
        }
        return out
    }

    /// The device commands in `effects` for `lock`, read as that lock reads them.
    func deviceCommands(_ effects: [BridgeEffect], _ lock: String) -> [DeviceCommand] {
        effects.publications.filter { $0.topic == "lockdev/\(lock)/cmd" }.compactMap { publication in
            try? DeviceCommand.parse(publication.payload, lock: LockID(lock)!, seal: signer.codeSeal, hash: (locks[lock] ?? Self.anyLock).hash(code:))
        }
    }

    static let anyLock = Lock(salt: Array(repeating: 1, count: 16), hasher: CodeHasher(iterations: 2))

    /// A command, carried to the lock and answered; returns the result published on `result`.
    @discardableResult
    mutating func roundTrip(_ id: String, _ json: String) -> JSONObject? {
        let sent = command(id, json)
        return (sent + deliverToLocks(sent)).json("\(base)/\(id)/result").last
    }
}
