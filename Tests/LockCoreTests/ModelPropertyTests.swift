import Foundation
import PropertyBased
import Testing
@testable import LockCore

/// Random input sequences with random time steps; invariants checked after every step.
@Suite struct ModelPropertyTests {
    /// One random step: which input, a parameter for it, and how far the clock moves first.
    typealias Step = (kind: Int, param: Int, wait: Int)

    static let pins = ["480913", "720615"]
    static let overrideCode = "48091372"
    static let wrongCode = "111999"
    /// Slot 3: weekdays 09:00–17:00 UTC; slot 4: one use; slot 5: duress (spec 7.1).
    static let scheduledCode = "305817"
    static let oneTimeCode = "640271"
    static let duressCode = "915372"
    static let fobIDs = ["fob-a", "fob-b"]
    static let phoneIDs = ["anna", "bob"]
    static let waits: [TimeInterval] = [0, 0, 1, 5, 30, 61, 300, 3600, 20_000]

    static let steps = zip(Gen.int(in: 0...23), Gen.int(in: 0...9), Gen.int(in: 0...8)).array(of: 1...70)

    @Test func invariantsHoldForRandomInputs() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...7), Self.steps) { setup, steps in
            var model = Model(setup: setup)
            for (index, step) in steps.enumerated() {
                model.run(step, index: index)
            }
        }
    }

    /// A lock under test plus what the test has seen so far.
    struct Model {
        var rig: Rig
        var lastStamp: (epoch: Int, seq: UInt64) = (1, 0)
        var faults: Set<FaultCode> = []
        var request = 0
        /// Openings the one-time code gave, over the whole run (it is never re-armed here).
        var oneTimeUses = 0

        init(setup: Int) {
            rig = Rig(
                config: LockConfig(autoRelockSeconds: setup & 1 == 0 ? 0 : 30, wrongCodeLimit: 3, lockoutSeconds: 30),
                battery: Battery(percent: 60, drain: DrainModel(percentPerMove: 1, percentPerHour: 0.5)),
                credentials: Credentials(mechanicalKeyFitted: setup & 2 == 0, overrideKeyFitted: setup & 4 == 0))
            rig.addPin(ModelPropertyTests.pins[0], slot: 1)
            let weekdays = WeekWindow(days: [.mon, .tue, .wed, .thu, .fri], from: 9 * 60, to: 17 * 60)
            rig.command(.setCode(slot: 3, name: "Cleaner", hash: rig.hash(ModelPropertyTests.scheduledCode), rules: AccessRules(type: .scheduled, schedule: [weekdays])))
            rig.command(.setCode(slot: 4, name: "Once", hash: rig.hash(ModelPropertyTests.oneTimeCode), rules: AccessRules(type: .oneTime)))
            rig.command(.setCode(slot: 5, name: "Duress", hash: rig.hash(ModelPropertyTests.duressCode), rules: AccessRules(type: .duress)))
            rig.command(.setOverrideCode(rig.hash(ModelPropertyTests.overrideCode)))
            rig.command(.addPhone(id: "anna", name: "Anna"))
            rig.send(.command(.enrollFob(name: "A", slot: 1), requestID: "setup-fob"))
            rig.send(.fob(id: "fob-a"))
            faults = rig.lock.activeFaults
            for event in rig.outputs.events { lastStamp = (event.epoch, event.seq) }
        }

        mutating func run(_ step: Step, index: Int) {
            rig.now += ModelPropertyTests.waits[step.wait]
            let input = makeInput(step)
            let context = "step \(index): \(input)"
            // Let the timers run first, so `before` is the state the input really meets.
            let timers = rig.send(.tick)
            let before = rig.lock
            let lockedOut = before.lockout.isActive(at: rig.now)
            let out = rig.send(input)

            checkStamps(timers + out, context)
            checkFaults(timers + out, context)
            checkResults(out, input: input, before: before, context)
            if lockedOut { checkNoCodeAccessDuringLockout(out, requireCode: before.config.requireCodeForRemote, context) }
            checkMotorNeedsPower(out, before: before, context)
            checkRestrictions(out, input: input, before: before, context)
            checkMechanicalKey(context)
            checkWaysIn(context)
            checkFaultsMatchState(context)
        }

        /// Faults tied to a condition are active exactly while it holds.
        func checkFaultsMatchState(_ context: String) {
            let lock = rig.lock
            #expect(lock.activeFaults.contains(.wrongCodeLimit) == lock.lockout.isActive(at: rig.now), "\(context)")
            #expect(lock.activeFaults.contains(.doorForcedOpen) == (lock.door == .forcedOpen), "\(context)")
            #expect(lock.activeFaults.contains(.jammed) == (lock.state == .jammed), "\(context)")
            #expect(lock.activeFaults.contains(.wifiDown) == !lock.wifiUp, "\(context)")
            #expect(lock.activeFaults.contains(.tamper) == lock.tampered, "\(context)")
            #expect(!lock.activeFaults.contains(.firmwareCrash), "\(context)")
        }

        mutating func makeInput(_ step: Step) -> LockInput {
            let p = step.param
            let codes = ModelPropertyTests.pins + [
                ModelPropertyTests.overrideCode, ModelPropertyTests.wrongCode, ModelPropertyTests.scheduledCode, ModelPropertyTests.oneTimeCode,
                ModelPropertyTests.duressCode,
            ]
            let bolt: BoltCommand = p.isMultiple(of: 2) ? .lock : .unlock
            request += 1
            let id = "r\(request)"
            switch step.kind {
            case 0, 1: return .keypad(PlainCode(codes[p % codes.count]))
            case 2: return .key(bolt)
            case 3: return .overrideKey
            case 4: return .fob(id: p < 8 ? ModelPropertyTests.fobIDs[p % 2] : "fob-new-\(p)")
            case 5: return .phone(id: ModelPropertyTests.phoneIDs[p % 2], command: bolt)
            case 6: return .button(bolt)
            case 7: return .door([DoorInput.open, .closed, .closed, .forcedOpen][p % 4])
            case 8: return .setBattery(percent: [0, 1, 2, 2.5, 10, 50, 100][p % 7])
            case 9: return p < 5 ? .replaceBattery : .backupPower(connected: p.isMultiple(of: 2))
            case 10: return p < 5 ? .wifi(up: p < 3) : .ble(up: p < 8)
            case 11: return p < 7 ? .tick : .glitch([GlitchKind.crash, .hang, .jam][p % 3])
            case 12: return p == 0 ? .tamper : .tick
            case 13, 14:
                let command = [LockCommand.lock, .unlock, .open][p % 3]
                return .command(command, code: remoteCode(p), requestID: id)
            case 15: return .command(.setMode(LockMode.allCases[p % 5]), code: remoteCode(p), requestID: id)
            case 16:
                let slot = 1 + p % 2
                let commands: [LockCommand] = [
                    .setCode(slot: slot, name: "S\(slot)", hash: rig.hash(ModelPropertyTests.pins[slot - 1]), replace: p > 5),
                    .clearCode(slot: slot), .enableCode(slot: slot), .disableCode(slot: slot),
                    .setCode(slot: slot, name: "E", hash: rig.hash(ModelPropertyTests.pins[slot - 1]), validUntil: rig.now + 100),
                ]
                return .command(commands[p % commands.count], code: remoteCode(p), requestID: id)
            case 17: return .command(p < 5 ? .enrollFob(name: "F") : .revokeFob(slot: 1 + p % 2), code: remoteCode(p), requestID: id)
            case 18:
                let patch = LockConfigPatch(autoRelockSeconds: p < 3 ? 30 : nil, requireCodeForRemote: p.isMultiple(of: 2))
                return .command(.setConfig(patch), code: remoteCode(p), requestID: id)
            case 19: return .command(.restart, requestID: id)
            case 20: return .command(p < 5 ? .addPhone(id: "bob", name: "Bob") : .revokePhone(id: "bob"), code: remoteCode(p), requestID: id)
            case 21: return p == 9 ? .command(.factoryReset, code: remoteCode(p), requestID: id) : .tick
            case 22: return .command(.setOverrideCode(rig.hash(ModelPropertyTests.overrideCode)), code: remoteCode(p), requestID: id)
            default: return .tick
            }
        }

        func remoteCode(_ p: Int) -> CodeHash? {
            switch p % 7 {
            case 0: nil
            case 1: rig.hash(ModelPropertyTests.wrongCode)
            case 2: rig.hash(ModelPropertyTests.overrideCode)
            case 3: rig.hash(ModelPropertyTests.scheduledCode)
            case 4: rig.hash(ModelPropertyTests.oneTimeCode)
            case 5: rig.hash(ModelPropertyTests.duressCode)
            default: rig.hash(ModelPropertyTests.pins[0])
            }
        }

        /// Spec 7.1, judged from the outside: the window by a UTC calendar, the one use by
        /// counting, the alert by its event, the authorisation by the result.
        mutating func checkRestrictions(_ out: [LockOutput], input: LockInput, before: Lock, _ context: String) {
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            let parts = utc.dateComponents([.weekday, .hour], from: rig.now)
            let windowOpen = (2...6).contains(parts.weekday!) && (9..<17).contains(parts.hour!)
            let restricted = [ModelPropertyTests.scheduledCode, ModelPropertyTests.oneTimeCode, ModelPropertyTests.duressCode].map { rig.hash($0) }
            var usedCode: CodeHash?
            var granted = out.access.filter(\.succeeded)
            switch input {
            case .keypad(let code): usedCode = rig.hash(code.value)
            case .command(let command, let code, _):
                usedCode = code
                granted = command.boltMove == .lock ? [] : granted.filter { $0.method == .remote }
            default: granted = []
            }
            // A remote code counts only where the lock asks for one.
            let remoteUse = !input.isKeypad && before.config.requireCodeForRemote && !granted.isEmpty
            let scheduledOpened = granted.contains { $0.credential?.slot == 3 } || (remoteUse && usedCode == restricted[0])
            if scheduledOpened { #expect(windowOpen, "\(context): the scheduled code worked outside its window") }
            if granted.contains(where: { $0.credential?.slot == 4 }) || (remoteUse && usedCode == restricted[1]) { oneTimeUses += 1 }
            #expect(oneTimeUses <= 1, "\(context): the one-time code worked twice")
            let alerts = out.events.filter { if case .alert(let a) = $0.body { a.kind == .duress && a.slot == 5 } else { false } }
            if case .keypad = input, usedCode == restricted[2], before.isPowered, !before.isHung,
                before.credentials.pins.contains(where: { $0.slot == 5 }), !before.credentials.isOverride(restricted[2])
            {
                #expect(alerts.count == 1, "\(context): a duress use raised no alert")
            }
            if case .command(let command, let code?, let id) = input, restricted.contains(code), command.boltMove == nil,
                command.needsRemoteCode, before.config.requireCodeForRemote, before.credentials.pinIndex(matching: code) != nil
            {
                #expect(out.results.first { $0.requestID == id }?.isOK != true, "\(context): a restricted code authorised \(command.name)")
            }
        }

        /// (epoch, seq) strictly increases; a new epoch starts at seq 1.
        mutating func checkStamps(_ out: [LockOutput], _ context: String) {
            for event in out.events {
                let ok = (event.epoch == lastStamp.epoch && event.seq > lastStamp.seq)
                    || (event.epoch > lastStamp.epoch && event.seq == 1)
                #expect(ok, "\(context): stamp \(event.epoch)/\(event.seq) after \(lastStamp.epoch)/\(lastStamp.seq)")
                lastStamp = (event.epoch, event.seq)
            }
        }

        /// Raises and clears alternate per fault, and the lock's set matches the events.
        mutating func checkFaults(_ out: [LockOutput], _ context: String) {
            for fault in out.faults {
                if fault.raised {
                    #expect(faults.insert(fault.fault).inserted, "\(context): \(fault.fault) raised twice")
                } else {
                    #expect(faults.remove(fault.fault) != nil, "\(context): \(fault.fault) cleared while not raised")
                }
            }
            #expect(faults == rig.lock.activeFaults, "\(context)")
        }

        /// Exactly one result per command, none from a hung or dead lock (except restart).
        func checkResults(_ out: [LockOutput], input: LockInput, before: Lock, _ context: String) {
            guard case .command(let command, _, let id) = input else { return }
            let mine = out.results.filter { $0.requestID == id }
            let answered = before.isPowered && (!before.isHung || command == .restart)
            if !answered {
                #expect(mine.isEmpty, "\(context)")
            } else if case .enrollFob = command, before.enrolment == nil {
                #expect(mine.count <= 1, "\(context)")
            } else {
                #expect(mine.count == 1, "\(context)")
            }
        }

        /// During a lockout no PIN opens the lock, nor a remote command that needs a code.
        func checkNoCodeAccessDuringLockout(_ out: [LockOutput], requireCode: Bool, _ context: String) {
            for event in out.access where event.succeeded {
                #expect(event.method != .keypad, "\(context): keypad PIN granted during lockout")
                if requireCode, event.method == .remote, event.eventType != .lock {
                    #expect(Bool(false), "\(context): remote code granted during lockout")
                }
            }
        }

        /// Without motor power (dead or ≤ 2 % without backup) nothing moves the motor.
        func checkMotorNeedsPower(_ out: [LockOutput], before: Lock, _ context: String) {
            guard !before.battery.canRunMotor else { return }
            let manual: Set<AccessMethod> = [.mechanicalKey, .overrideKey]
            for event in out.access where event.succeeded {
                #expect(manual.contains(event.method), "\(context): \(event.method) moved without power")
            }
            if !before.isPowered, before.battery.percent == rig.lock.battery.percent {
                #expect(rig.lock.battery.percent == 0)
            }
        }

        /// A fitted mechanical key always works, whatever the state.
        func checkMechanicalKey(_ context: String) {
            for turn in BoltCommand.allCases {
                var copy = rig.lock
                let out = copy.handle(.key(turn), now: rig.now)
                let turned = out.access.contains { $0.method == .mechanicalKey && $0.succeeded }
                if rig.lock.credentials.mechanicalKeyFitted {
                    #expect(turned && copy.state == (turn == .lock ? .locked : .unlocked), "\(context)")
                } else {
                    #expect(!turned && copy.state == rig.lock.state, "\(context)")
                }
            }
        }

        /// `waysIn` agrees with what happens when each way is tried with a valid credential.
        func checkWaysIn(_ context: String) {
            let lock = rig.lock
            let report = lock.waysIn(now: rig.now)
            #expect(report.ways.count == 6)
            for way in AccessWay.allCases {
                #expect(report[way].usable == (report[way].reason == nil), "\(context): \(way)")
            }
            // A hung lock, or a bolt about to jam, cannot be predicted from the outside.
            guard !lock.isHung, !lock.jamPending else { return }
            // Duress codes are not counted as a way in (spec 7.1).
            let pinInputs = (ModelPropertyTests.pins + [ModelPropertyTests.scheduledCode, ModelPropertyTests.oneTimeCode]).map { LockInput.keypad(PlainCode($0)) }
            var expectations: [(AccessWay, [LockInput])] = [
                (.mechanicalKey, [.key(.unlock)]),
                (.keypad, pinInputs),
                (.fob, lock.credentials.fobs.map { .fob(id: $0.fobID) }),
                (.blePhone, lock.credentials.phones.map { .phone(id: $0.id, command: .unlock) }),
                (.override, lock.credentials.overrideKeyFitted ? [.overrideKey] : [.keypad(PlainCode(ModelPropertyTests.overrideCode))]),
            ]
            if lock.wifiUp, lock.enrolment == nil {
                let codes: [CodeHash?] = lock.config.requireCodeForRemote
                    ? (ModelPropertyTests.pins + [ModelPropertyTests.overrideCode, ModelPropertyTests.scheduledCode, ModelPropertyTests.oneTimeCode])
                        .map { rig.hash($0) } : [nil]
                expectations.append((.remote, codes.map { .command(.unlock, code: $0, requestID: "try") }))
            } else if !lock.wifiUp {
                #expect(!report[.remote].usable, "\(context)")
            }
            let methods: [AccessWay: Set<AccessMethod>] = [
                .mechanicalKey: [.mechanicalKey], .keypad: [.keypad], .fob: [.fob], .blePhone: [.blePhone],
                .override: [.overrideKey, .overrideCode], .remote: [.remote],
            ]
            for (way, inputs) in expectations {
                let works = inputs.contains { input in
                    var copy = lock
                    let out = copy.handle(input, now: rig.now)
                    return out.access.contains { $0.succeeded && methods[way, default: []].contains($0.method) }
                }
                #expect(works == report[way].usable, "\(context): \(way) reported \(report[way]) but trying it \(works ? "worked" : "failed")")
            }
        }
    }
}

extension LockInput {
    var isKeypad: Bool { if case .keypad = self { true } else { false } }
}
