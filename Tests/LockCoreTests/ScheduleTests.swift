import Foundation
import Testing
@testable import LockCore

/// Week-day and year-day windows, one-time and duress codes (spec 7.1), on the lock alone.
@Suite struct ScheduleTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static let cleaner = AccessRules(type: .scheduled, schedule: [try! WeekWindow(days: ["tue", "fri"], from: "08:00", to: "12:00")])

    /// A lock in Europe/Berlin with the cleaner's code in slot 2.
    static func berlin() -> Rig {
        var rig = Rig(config: LockConfig(timezone: "Europe/Berlin"))
        let result = rig.command(.setCode(slot: 2, name: "Cleaner", hash: rig.hash("305817"), rules: cleaner))
        #expect(result?.isOK == true)
        return rig
    }

    /// Tuesday and Friday 08:00–12:00 in Berlin, over the week in which summer time begins
    /// (Sunday 2027-03-28, 02:00 → 03:00). The expected UTC intervals are written out by hand:
    /// 07:00–11:00Z while Berlin is UTC+1, 06:00–10:00Z once it is UTC+2.
    @Test func theCleanersCodeOpensExactlyInsideItsWindowsAcrossTheChangeToSummerTime() {
        var rig = Self.berlin()
        let open = [
            (Self.utc("2027-03-23T07:00:00Z"), Self.utc("2027-03-23T11:00:00Z")),
            (Self.utc("2027-03-26T07:00:00Z"), Self.utc("2027-03-26T11:00:00Z")),
            (Self.utc("2027-03-30T06:00:00Z"), Self.utc("2027-03-30T10:00:00Z")),
        ]
        var t = Self.utc("2027-03-22T00:00:00Z")
        var opened = 0
        while t < Self.utc("2027-03-31T00:00:00Z") {
            rig.now = t
            let out = rig.send(.keypad(PlainCode("305817")))
            let expected = open.contains { t >= $0.0 && t < $0.1 }
            #expect(out.granted == expected, "\(t)")
            if !expected { #expect(out.access.first?.reason == .outsideSchedule, "\(t)") }
            if out.granted { opened += 1 }
            rig.send(.key(.lock))
            t += 15 * 60
        }
        #expect(opened == 3 * 16)
        // Outside its windows the code is no guess: however often it is typed, no lockout.
        #expect(!rig.lock.lockout.isActive(at: rig.now))
        #expect(!rig.lock.activeFaults.contains(.wrongCodeLimit))
    }

    @Test func aWindowThatCrossesMidnightBelongsToItsStartDay() throws {
        var rig = Rig()
        let late = AccessRules(type: .scheduled, schedule: [try WeekWindow(days: ["fri"], from: "22:00", to: "02:00")])
        rig.command(.setCode(slot: 1, name: "Night", hash: rig.hash("305817"), rules: late))
        // 2027-01-15 is a Friday.
        let cases = [
            ("2027-01-15T21:59:00Z", false), ("2027-01-15T22:00:00Z", true), ("2027-01-15T23:30:00Z", true),
            ("2027-01-16T01:59:00Z", true), ("2027-01-16T02:00:00Z", false), ("2027-01-16T23:00:00Z", false),
            ("2027-01-17T01:00:00Z", false), ("2027-01-14T23:00:00Z", false),
        ]
        for (time, works) in cases {
            rig.now = Self.utc(time)
            #expect(rig.send(.keypad(PlainCode("305817"))).granted == works, "\(time)")
            rig.send(.key(.lock))
        }
    }

    /// Local wall-clock time decides: the hour that does not exist in spring never opens, the
    /// hour that happens twice in autumn opens twice.
    @Test func daylightSavingGapsShortenAndOverlapsRepeatAWindow() throws {
        var rig = Rig(config: LockConfig(timezone: "Europe/Berlin"))
        let night = AccessRules(type: .scheduled, schedule: [try WeekWindow(days: ["sun"], from: "02:00", to: "03:00")])
        rig.command(.setCode(slot: 1, name: "Night", hash: rig.hash("305817"), rules: night))
        let cases = [
            ("2027-03-28T00:59:00Z", false), ("2027-03-28T01:00:00Z", false), ("2027-03-28T01:30:00Z", false),
            ("2027-10-31T00:30:00Z", true), ("2027-10-31T01:30:00Z", true), ("2027-10-31T02:00:00Z", false),
        ]
        for (time, works) in cases {
            rig.now = Self.utc(time)
            rig.send(.replaceBattery)  // seven months of idle drain in between
            #expect(rig.send(.keypad(PlainCode("305817"))).granted == works, "\(time)")
            rig.send(.key(.lock))
        }
    }

    @Test(arguments: [
        (["tue"], "08:00", "08:00", "equal"), ([], "08:00", "09:00", "day"), (["tuesday"], "08:00", "09:00", "days"),
        (["tue"], "8:00", "09:00", "from"), (["tue"], "08:00", "24:01", "to"), (["tue"], "24:00", "09:00", "from"),
        (["tue"], "08:60", "09:00", "from"),
    ])
    func badWindowsAreInvalidFields(_ days: [String], _ from: String, _ to: String, _ what: String) {
        #expect(throws: LockError.self, "\(what)") { try WeekWindow(days: days, from: from, to: to) }
    }

    @Test func midnightIsTheEndOfADay() throws {
        let window = try WeekWindow(days: ["mon"], from: "18:00", to: "24:00")
        #expect(window.to == 1440 && window.contains(day: .mon, minute: 1439) && !window.contains(day: .tue, minute: 0))
    }

    @Test func validFromAndValidUntilBoundTheCode() {
        var rig = Rig()
        let from = Rig.start + 3600, until = Rig.start + 7200
        rig.command(.setCode(slot: 1, name: "Visit", hash: rig.hash("305817"), validUntil: until, rules: AccessRules(validFrom: from)))
        #expect(rig.send(.keypad(PlainCode("305817"))).access.first?.reason == .outsideSchedule)
        #expect(rig.lock.waysIn(now: rig.now)[.keypad].reason == .outsideSchedule)
        rig.now = from
        #expect(rig.send(.keypad(PlainCode("305817"))).granted)
        #expect(rig.lock.waysIn(now: rig.now)[.keypad].usable)
        rig.send(.key(.lock))
        rig.now = until
        #expect(rig.send(.keypad(PlainCode("305817"))).access.first?.reason == .expired)
        #expect(rig.lock.waysIn(now: rig.now)[.keypad].reason == .noCredentials)
        // The lock refuses a window that ends before it begins.
        #expect(rig.command(.setCode(slot: 2, name: "X", hash: rig.hash("724163"), validUntil: from, rules: AccessRules(validFrom: until)))?.error?.field == "valid_from")
    }

    @Test func aOneTimeCodeOpensOnceThenIsUsedUp() {
        var rig = Rig()
        rig.command(.setCode(slot: 3, name: "Plumber", hash: rig.hash("640271"), rules: AccessRules(type: .oneTime)))
        let first = rig.send(.keypad(PlainCode("640271")))
        #expect(first.granted)
        #expect(first.access.first?.credential?.oneTime == true)
        #expect(first.credentialEvents.map(\.eventType) == [.codeUsedUp])
        let pin = rig.lock.credentials.pins.first { $0.slot == 3 }!
        #expect(!pin.enabled && pin.isUsedUp)
        rig.send(.key(.lock))
        #expect(!rig.send(.keypad(PlainCode("640271"))).granted)
        #expect(rig.command(.enableCode(slot: 3))?.error?.code == .invalidField)
        // Only set_code with replace re-arms it.
        #expect(rig.command(.setCode(slot: 3, name: "Plumber", hash: rig.hash("640271"), replace: true, rules: AccessRules(type: .oneTime)))?.isOK == true)
        #expect(rig.send(.keypad(PlainCode("640271"))).granted)
    }

    @Test func aMoveThatFailsDoesNotUseUpAOneTimeCode() {
        var rig = Rig()
        rig.command(.setCode(slot: 3, name: "Plumber", hash: rig.hash("640271"), rules: AccessRules(type: .oneTime)))
        rig.send(.glitch(.jam))
        #expect(!rig.send(.keypad(PlainCode("640271"))).granted)
        #expect(rig.lock.credentials.pins.first { $0.slot == 3 }?.isUsedUp == false)
        rig.send(.key(.unlock))  // the mechanical key frees the bolt
        rig.send(.key(.lock))
        #expect(rig.send(.keypad(PlainCode("640271"))).granted)
    }

    /// The door opens as for any code; the only difference is one alert event nobody at the
    /// door can see. It goes off even when the code is refused.
    @Test func aDuressCodeOpensAsUsualAndRaisesTheSilentAlert() {
        var normal = Rig(), duress = Rig()
        normal.command(.setCode(slot: 5, name: "Anna", hash: normal.hash("915372")))
        duress.command(.setCode(slot: 5, name: "Anna", hash: duress.hash("915372"), rules: AccessRules(type: .duress)))
        let a = normal.send(.keypad(PlainCode("915372"))), b = duress.send(.keypad(PlainCode("915372")))
        #expect(a.access == b.access && b.granted)
        #expect(b.events.compactMap { if case .alert(let alert) = $0.body { alert } else { nil } } == [AlertEvent(kind: .duress, slot: 5)])
        var plain = duress.lock, other = normal.lock
        (plain.seq, other.seq) = (0, 0)
        plain.duressPending = nil  // the lock's own memory of the alert, which it publishes nowhere
        plain.credentials = other.credentials
        #expect(plain == other, "nothing but the alert differs")

        duress.send(.key(.lock))
        duress.command(.setMode(.privacy))
        let refused = duress.send(.keypad(PlainCode("915372")))
        #expect(!refused.granted && refused.events.contains { if case .alert = $0.body { true } else { false } })
    }

    @Test func onlyAnUnrestrictedCodeOrTheOverrideAuthorisesAdministration() throws {
        var rig = Rig()
        rig.command(.setCode(slot: 1, name: "Owner", hash: rig.hash("480913")))
        rig.command(.setCode(slot: 2, name: "Cleaner", hash: rig.hash("305817"), rules: AccessRules(type: .scheduled, schedule: [
            try WeekWindow(days: Weekday.allCases.map(\.rawValue), from: "00:00", to: "24:00"),
        ])))
        rig.command(.setCode(slot: 3, name: "Once", hash: rig.hash("640271"), rules: AccessRules(type: .oneTime)))
        rig.command(.setCode(slot: 4, name: "Duress", hash: rig.hash("915372"), rules: AccessRules(type: .duress)))
        #expect(rig.command(.setConfig(LockConfigPatch(requireCodeForRemote: true)))?.isOK == true)
        for code in ["305817", "640271", "915372"] {
            let grant = rig.command(.setCode(slot: 9, name: "Me", hash: rig.hash("202468")), code: code)
            #expect(grant?.error?.code == .wrongCode, "\(code) must not grant a code")
            #expect(rig.command(.setMode(.passage), code: code)?.error?.code == .wrongCode, "\(code)")
        }
        #expect(!rig.lock.lockout.isActive(at: rig.now), "a right code for the wrong thing is no guess")
        #expect(rig.lock.credentials.pins.count == 4)
        // They do open, inside their windows; the one-time code then is used up.
        #expect(rig.command(.unlock, code: "305817")?.isOK == true)
        rig.send(.key(.lock))
        #expect(rig.command(.unlock, code: "640271")?.isOK == true)
        rig.send(.key(.lock))
        #expect(rig.command(.unlock, code: "640271")?.isOK == false)
        let out = rig.send(.command(.unlock, code: rig.hash("915372"), requestID: "d"))
        #expect(out.results.first?.isOK == true && out.events.contains { if case .alert = $0.body { true } else { false } })
        #expect(rig.command(.setMode(.vacation), code: "480913")?.isOK == true)
    }

    @Test func theWaysInSayOutsideScheduleAndIgnoreDuressCodes() throws {
        var rig = Rig()
        rig.command(.setCode(slot: 4, name: "Duress", hash: rig.hash("915372"), rules: AccessRules(type: .duress)))
        #expect(rig.lock.waysIn(now: rig.now)[.keypad].reason == .noCredentials)
        let window = try WeekWindow(days: ["sat"], from: "10:00", to: "11:00")
        rig.command(.setCode(slot: 2, name: "Cleaner", hash: rig.hash("305817"), rules: AccessRules(type: .scheduled, schedule: [window])))
        rig.now = Self.utc("2027-01-16T09:00:00Z")
        #expect(rig.lock.waysIn(now: rig.now)[.keypad].reason == .outsideSchedule)
        rig.now = Self.utc("2027-01-16T10:00:00Z")
        #expect(rig.lock.waysIn(now: rig.now)[.keypad].usable)
        #expect(rig.lock.credentials.usability(at: rig.lock.time(rig.now)) == [true, true])
    }

    @Test func fobsAndPhonesFollowTheirWindowsToo() throws {
        var rig = Rig()
        let saturdays = AccessRules(type: .scheduled, schedule: [try WeekWindow(days: ["sat"], from: "10:00", to: "11:00")])
        rig.command(.addPhone(id: "guest", name: "Guest", rules: saturdays))
        rig.send(.command(.enrollFob(name: "Guest", slot: 1, rules: saturdays), requestID: "f"))
        rig.send(.fob(id: "fob-1"))
        rig.now = Self.utc("2027-01-16T09:59:00Z")
        #expect(rig.send(.fob(id: "fob-1")).access.first?.reason == .outsideSchedule)
        #expect(rig.send(.phone(id: "guest", command: .unlock)).access.first?.reason == .outsideSchedule)
        rig.now = Self.utc("2027-01-16T10:00:00Z")
        #expect(rig.send(.fob(id: "fob-1")).granted)
        #expect(rig.send(.phone(id: "guest", command: .lock)).granted)
        #expect(rig.command(.addPhone(id: "x", name: "X", rules: AccessRules(type: .oneTime)))?.error?.field == "type")
    }

    @Test func anUnknownTimeZoneIsRefused() {
        var rig = Rig()
        #expect(rig.command(.setConfig(LockConfigPatch(timezone: "Mars/Olympus")))?.error?.field == "timezone")
        #expect(rig.command(.setConfig(LockConfigPatch(timezone: "Europe/Berlin")))?.isOK == true)
        #expect(rig.lock.config.timeZone.identifier == "Europe/Berlin")
    }

    /// With the power gone the clock is lost: windows and dates cannot be told until it is set.
    @Test func aLockThatLostItsClockRefusesDatedCodesUntilItIsSet() {
        var rig = Rig()
        rig.command(.setCode(slot: 1, name: "Owner", hash: rig.hash("480913")))
        rig.command(.setCode(slot: 2, name: "Visit", hash: rig.hash("305817"), validUntil: Rig.start + 86_400))
        rig.send(.setBattery(percent: 0))
        rig.send(.setBattery(percent: 80))
        #expect(rig.lock.clockLost == true)
        #expect(rig.send(.keypad(PlainCode("305817"))).access.first?.reason == .outsideSchedule)
        #expect(rig.send(.keypad(PlainCode("480913"))).granted, "an unrestricted code needs no clock")
        rig.send(.key(.lock))
        #expect(rig.command(.setClock(at: rig.now))?.isOK == true)
        #expect(rig.lock.clockLost == nil)
        #expect(rig.send(.keypad(PlainCode("305817"))).granted)
    }

    /// Only an unrestricted code or the override code acknowledges the alert, whatever the
    /// lock's remote-code setting; a duress code used for it raises the alert again.
    @Test func theDuressAlertIsAcknowledgedOnlyWithAnUnrestrictedCode() {
        var rig = Rig()
        rig.command(.setCode(slot: 1, name: "Owner", hash: rig.hash("480913")))
        rig.command(.setCode(slot: 5, name: "Help", hash: rig.hash("915372"), rules: AccessRules(type: .duress)))
        #expect(rig.command(.ackDuress, code: "480913")?.error?.code == .notFound, "nothing to acknowledge yet")
        rig.send(.keypad(PlainCode("915372")))
        #expect(rig.lock.duressPending == 5)
        #expect(rig.command(.ackDuress)?.error?.code == .codeRequired)
        let again = rig.send(.command(.ackDuress, code: rig.hash("915372"), requestID: "ack-d"))
        #expect(again.results.first?.error?.code == .wrongCode)
        #expect(again.events.contains { if case .alert(let a) = $0.body { a.acknowledged == nil } else { false } }, "the duress code raised it again")
        let ack = rig.send(.command(.ackDuress, code: rig.hash("480913"), requestID: "ack-o"))
        #expect(ack.results.first?.isOK == true)
        #expect(ack.events.contains { if case .alert(let a) = $0.body { a.acknowledged == true && a.slot == 5 } else { false } })
        #expect(rig.lock.duressPending == nil)
    }

    /// The lock keeps which access plan owns a slot (spec 7.2): another plan may not write there,
    /// the owner's own commands may (that is drift for the plan, not an error).
    @Test func aPlansSlotIsItsOwn() {
        var rig = Rig()
        let set = rig.send(.command(.setCode(slot: 7, name: "Cleaner", hash: rig.hash("305817"), plan: "cleaning"), requestID: "p1"))
        #expect(set.results.first?.isOK == true)
        #expect(set.credentialEvents.first?.plan == "cleaning")
        #expect(rig.lock.credentials.pins.first { $0.slot == 7 }?.plan == "cleaning")
        let other = rig.command(.setCode(slot: 7, name: "Walker", hash: rig.hash("724163"), replace: true, plan: "dogs"))
        #expect(other?.error?.code == .slotOccupied)
        #expect(rig.command(.setCode(slot: 7, name: "Cleaner", hash: rig.hash("305818"), replace: true, plan: "cleaning"))?.isOK == true)
        #expect(rig.command(.setCode(slot: 7, name: "Mine now", hash: rig.hash("724163"), replace: true))?.isOK == true)
        #expect(rig.lock.credentials.pins.first { $0.slot == 7 }?.plan == nil)
    }
}
