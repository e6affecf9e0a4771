import Foundation
import JSON
import LockAPI
import Locking
import MQTT
import TestSupport

/// One schedule of the chaos suite: real processes through a real broker with persistence, 20
/// emulated locks driven by sim actions at about 40/s, a few remote commands (some retried with
/// the same request id), and a persistent QoS 1 subscriber of the public events. Faults run for
/// `seconds`; then the stack settles and the ground truth, each lock's own `seq`, is compared
/// with the audit log (`history`) and with what the subscriber received.
public struct ChaosRun: Sendable {
    public var seconds: Double
    public var lockCount = 20
    public var actionsPerSecond = 40.0
    public var log: @Sendable (String) -> Void

    public init(seconds: Double, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.seconds = seconds
        self.log = log
    }

    public func run(_ schedule: ChaosSchedule) async throws -> ChaosReport {
        let stack = try await ChaosStack(locks: lockCount)
        var report = ChaosReport(schedule: schedule, seconds: seconds)
        do {
            try await exercise(stack, schedule, &report)
        } catch {
            await stack.stop()
            throw ChaosFailure("\(schedule.rawValue): \(error)\n\(stack.tails)")
        }
        await stack.stop()
        return report
    }

    private func exercise(_ stack: ChaosStack, _ schedule: ChaosSchedule, _ report: inout ChaosReport) async throws {
        try stack.startEmulator()
        try stack.startBridge()
        let driver = try await TestClients.connect(stack.broker, "chaos-driver") { $0.connectTimeout = .seconds(5) }
        // The persistent subscriber: its session outlives the broker restarts.
        let subscriber = try await TestClients.connect(stack.broker, "chaos-subscriber") { config in
            config.cleanStart = false
            config.sessionExpiry = 3600
        }
        let events = try await MessageCollector(subscriber, "\(stack.base)/+/event/#", options: SubscribeOptions(qos: .atLeastOnce))
        let availability = try await MessageCollector(driver, "\(stack.base)/+/availability")
        try await waitUntil(30, "every lock online") {
            Set(availability.messages.filter { $0.text == "online" }.map(\.topic)).count == stack.locks.count
        }
        log("\(schedule.rawValue): \(stack.locks.count) locks online, faults for \(Int(seconds)) s")

        // Everything on the broker, to scan for codes at the end.
        let everything = try await MessageCollector(driver, "#")
        let load = ChaosLoad(stack: stack, client: driver, actionsPerSecond: actionsPerSecond)
        let results = try await MessageCollector(driver, "\(stack.base)/+/result")
        try await load.equip()
        try await waitUntil(20, "every lock's code set") {
            Set(results.messages.compactMap { message -> String? in
                guard let o = try? JSON.parseObject(message.payload), o["status"]?.stringValue == "ok" else { return nil }
                return o["request_id"]?.stringValue.flatMap { $0.hasPrefix("equip-") ? $0 : nil }
            }).count == stack.locks.count
        }
        let traffic = Task { await load.run() }
        let faults = try await inject(schedule, stack)
        traffic.cancel()
        await traffic.value
        report.faults = faults
        report.actions = load.actions
        report.commands = load.requestIDs.count

        // Everything back up; then the bridge must catch up on its own.
        if !(stack.emulator?.isRunning ?? false) { try stack.startEmulator() }
        if !(stack.bridge?.isRunning ?? false) { try stack.startBridge() }
        let audit = try await ChaosAudit(stack: stack, client: driver)
        // The locks coming back after the last fault still make events (the bridge clears its
        // `lock_offline` faults, held events arrive): settle, let the subscriber catch up with the
        // audit log and go quiet, and settle again, so the counts are taken once nothing is moving
        // any more. An event the broker never delivers still shows: the wait has a limit.
        for _ in 0..<2 {
            try await audit.settle(log: log)
            if !schedule.brokerMayLose {  // (a SIGKILLed broker may lose some for good)
                try await audit.subscriberCatchesUp(events, within: .seconds(TestTime.scaled(30)), log: log)
            }
            // The broker may still be delivering its backlog to the subscriber: wait until nothing
            // has arrived for 2 s (at most 30 s), so what is missing then is missing.
            try await Self.quiet(events, for: .seconds(2), within: .seconds(30))
        }
        report.outboxUndelivered = try await audit.undelivered()
        try await audit.compare(events: events.messages, requestIDs: load.requestIDs, into: &report)
        report.codeLeaks = ChaosAudit.leaks(
            of: [ChaosLoad.code, ChaosLoad.wrongCode], messages: everything.messages, logs: stack.logs, into: &report.scanned)
        await subscriber.disconnect()
        await driver.disconnect()
    }

    /// Runs the schedule's faults until `seconds` have passed; returns how many were injected.
    private func inject(_ schedule: ChaosSchedule, _ stack: ChaosStack) async throws -> Int {
        let end = ContinuousClock.now + .seconds(seconds)
        var faults = 0
        while ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(Int(Double.random(in: schedule.interval) * 1000)))  // the schedule's spacing
            guard ContinuousClock.now < end else { break }
            switch schedule {
            case .brokerKill:
                try await stack.broker.kill9()
                try await stack.broker.startAgain()
            case .brokerTerm:
                try await stack.broker.restart()
            case .bridgeKill:
                try await stack.kill(stack.bridge)
                try stack.startBridge()
            case .emulatorKill:
                try await stack.kill(stack.emulator)
                try stack.startEmulator()
            }
            faults += 1
        }
        return faults
    }
}

extension ChaosRun {
    /// Returns once `collector` has received nothing new for `interval`, or after `limit`.
    static func quiet(_ collector: MessageCollector, for interval: Duration, within limit: Duration) async throws {
        let end = ContinuousClock.now + limit
        var count = collector.messages.count
        var since = ContinuousClock.now
        while ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(200))  // poll until quiet or the limit
            let now = collector.messages.count
            if now != count {
                (count, since) = (now, ContinuousClock.now)
            } else if ContinuousClock.now - since >= interval {
                return
            }
        }
    }
}

public struct ChaosFailure: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
