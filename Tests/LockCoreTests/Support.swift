import Foundation
import Testing
@testable import LockCore

/// A lock with a fast hasher, a fixed salt and a clock the test moves by hand.
struct Rig {
    static let salt: [UInt8] = Array(0..<16)
    static let hasher = CodeHasher(iterations: 2)
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    var lock: Lock
    var now = Rig.start
    var outputs: [LockOutput] = []
    private var nextRequest = 0

    init(config: LockConfig = LockConfig(), battery: Battery = Battery(), credentials: Credentials = Credentials()) {
        lock = Lock(salt: Rig.salt, hasher: Rig.hasher, config: config, battery: battery, credentials: credentials)
        _ = lock.handle(.tick, now: now)  // the lock learns the time
    }

    func hash(_ code: String) -> CodeHash { Rig.hasher.hash(code: code, salt: Rig.salt) }

    /// Feeds an input at the current time and returns its outputs (also kept in `outputs`).
    @discardableResult
    mutating func send(_ input: LockInput) -> [LockOutput] {
        let out = lock.handle(input, now: now)
        outputs += out
        return out
    }

    /// Sends a command with a fresh request id and returns its result, if any.
    @discardableResult
    mutating func command(_ command: LockCommand, code: String? = nil) -> CommandResult? {
        nextRequest += 1
        let id = "req-\(nextRequest)"
        let out = send(.command(command, code: code.map(hash), requestID: id))
        return out.results.first { $0.requestID == id }
    }

    /// Moves the clock on and ticks.
    @discardableResult
    mutating func advance(_ seconds: TimeInterval) -> [LockOutput] {
        now += seconds
        return send(.tick)
    }

    /// Sets a PIN through the command path and expects it to succeed.
    mutating func addPin(_ code: String, slot: Int, name: String = "Guest") {
        let result = command(.setCode(slot: slot, name: name, hash: hash(code)))
        #expect(result?.isOK == true, "set_code slot \(slot): \(String(describing: result?.error))")
    }
}

extension Array where Element == LockOutput {
    var events: [LockEvent] {
        compactMap { if case .event(let event) = $0 { event } else { nil } }
    }
    var results: [CommandResult] {
        compactMap { if case .result(let result) = $0 { result } else { nil } }
    }
    var access: [AccessEvent] {
        events.compactMap { if case .access(let event) = $0.body { event } else { nil } }
    }
    var faults: [FaultEvent] {
        events.compactMap { if case .fault(let event) = $0.body { event } else { nil } }
    }
    var credentialEvents: [CredentialEvent] {
        events.compactMap { if case .credential(let event) = $0.body { event } else { nil } }
    }
    var system: [SystemEvent] {
        events.compactMap { if case .system(let event) = $0.body { event } else { nil } }
    }
    func raised(_ fault: FaultCode) -> Bool { faults.contains { $0.raised && $0.fault == fault } }
    func cleared(_ fault: FaultCode) -> Bool { faults.contains { !$0.raised && $0.fault == fault } }
    /// Whether any access event in here granted access.
    var granted: Bool { access.contains { $0.succeeded } }
}
