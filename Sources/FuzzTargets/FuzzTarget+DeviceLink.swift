import BridgeCore
import Foundation
import JSON
import LockAPI
import LockCore
import Logging

extension FuzzTarget {
    static let signer = DeviceSigner(key: Array(repeating: 0x5a, count: 32))
    static let door = LockID("fuzz-door")!
    static let lock = Lock(salt: Array(repeating: 1, count: 16), hasher: CodeHasher(iterations: 1))

    /// The device-link readers (snapshot, event, ack, resend, command): each payload is tried
    /// with every reader; whatever one accepts writes back to bytes that read back the same.
    /// Heartbeats have no reader: any message on the heartbeat topic counts, its payload unread.
    static let deviceLink = FuzzTarget(
        name: "device", summary: "device-link readers (snapshot, event, ack, resend, command): parse(serialize(x)) == x"
    ) { bytes in
        if let snapshot = try? DeviceSnapshot(payload: bytes) {
            let back = (try? snapshot.payload()).flatMap { try? DeviceSnapshot(payload: $0) }
            invariant(back == snapshot, "device", "snapshot: parse(serialize(x)) != x")
        }
        // As the bridge reads an event and a snapshot of a lock it knows: whatever it publishes
        // from them, clients can read.
        var machine = knowsDoor
        for effect in machine.handle(.deviceEvent(door, payload: bytes), now: now) {
            if case .event(let event) = effect {
                invariant((try? PublicEvent(payload: event.payload)) != nil, "device", "the bridge published an unreadable event")
            }
        }
        for case .publish(let publication) in machine.handle(.deviceState(door, payload: bytes, retained: false), now: now)
        where publication.topic.hasSuffix("/state") && !publication.payload.isEmpty {
            invariant((try? PublicLockState(payload: publication.payload)) != nil, "device", "the bridge published an unreadable state")
        }
        if let ack = try? DeviceAck.parse(bytes) {
            let back = (try? DeviceAck.payload(ack)).flatMap { try? DeviceAck.parse($0) }
            invariant(back == ack, "device", "ack: parse(serialize(x)) != x")
        }
        if let resend = try? ResendRequest.parse(bytes) {
            let back = (try? resend.payload()).flatMap { try? ResendRequest.parse($0) }
            invariant(back == resend, "device", "resend: parse(serialize(x)) != x")
        }
        // As the lock reads a command; the sealed codes do not open with this key unless made by it.
        let opened = try? DeviceCommand.parse(bytes, lock: door, seal: signer.codeSeal, hash: lock.hash(code:))
        let asSealed = try? DeviceCommand.parse(bytes) { sealed, _ in CodeHash(bytes: sealed) }
        if let command = asSealed {
            let back = (try? command.payload()).flatMap { payload in try? DeviceCommand.parse(payload) { sealed, _ in CodeHash(bytes: sealed) } }
            invariant(back == command, "device", "command: parse(serialize(x)) != x")
        }
        invariant(opened == nil || asSealed != nil, "device", "a command opened that does not read")
    }
}

extension FuzzTarget {
    /// A bridge core that knows `door` from one good snapshot.
    static func bridge() -> BridgeMachine {
        var machine = BridgeMachine(
            configuration: BridgeConfiguration(), signer: signer, logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }),
            stored: StoredState(), now: now, newID: { "fuzz" })
        _ = machine.handle(.deviceState(door, payload: snapshot, retained: false), now: now)
        return machine
    }

    /// Built once; each input gets its own copy (the core is a value).
    static let knowsDoor = bridge()

    static let snapshot: [UInt8] = (try? DeviceSnapshot(lock, emulator: "fuzz", lockTime: now, wallTime: now).payload()) ?? []
}
