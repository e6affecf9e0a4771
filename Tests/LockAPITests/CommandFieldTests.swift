import Foundation
import LockAPI
import LockCore
import Testing

@Suite struct AcceptedCommandTests {
    static let cases: [(String, PublicAction)] = [
        (#"{"command":"lock"}"#, .lock),
        (#"{"command":"unlock"}"#, .unlock),
        (#"{"command":"open"}"#, .open),
        (#"{"command":"set_code","slot":2,"name":"Dog walker","code":"246813"}"#,
         .setCode(slot: 2, name: "Dog walker", code: "246813", validUntil: nil, replace: false)),
        (#"{"command":"set_code","slot":250,"name":"Ünïcode ✓","code":"246813","valid_until":"2026-12-01T00:00:00+01:00","replace":true}"#,
         .setCode(slot: 250, name: "Ünïcode ✓", code: "246813",
                  validUntil: Date(timeIntervalSince1970: 1_796_079_600), replace: true)),
        // Spec 7.1: types, windows in the lock's time, year-day windows.
        (#"{"command":"set_code","slot":3,"name":"Cleaner","code":"246813","type":"scheduled","schedule":[{"days":["tue","fri"],"from":"08:00","to":"12:00"}]}"#,
         .setCode(slot: 3, name: "Cleaner", code: "246813", validUntil: nil, replace: false, rules: AccessRules(
            type: .scheduled, schedule: [WeekWindow(days: [.tue, .fri], from: 480, to: 720)]))),
        (#"{"command":"set_code","slot":4,"name":"Night","code":"246813","type":"scheduled","schedule":[{"days":["fri"],"from":"22:00","to":"02:00"},{"days":["sat"],"from":"18:00","to":"24:00"}]}"#,
         .setCode(slot: 4, name: "Night", code: "246813", validUntil: nil, replace: false, rules: AccessRules(
            type: .scheduled, schedule: [WeekWindow(days: [.fri], from: 1320, to: 120), WeekWindow(days: [.sat], from: 1080, to: 1440)]))),
        (#"{"command":"set_code","slot":5,"name":"Plumber","code":"246813","type":"one_time","valid_from":"2026-12-01T08:00:00Z"}"#,
         .setCode(slot: 5, name: "Plumber", code: "246813", validUntil: nil, replace: false, rules: AccessRules(
            type: .oneTime, validFrom: Date(timeIntervalSince1970: 1_796_112_000)))),
        (#"{"command":"set_code","slot":6,"name":"Help","code":"246813","type":"duress"}"#,
         .setCode(slot: 6, name: "Help", code: "246813", validUntil: nil, replace: false, rules: AccessRules(type: .duress))),
        (#"{"command":"set_code","slot":7,"name":"Plain","code":"246813","type":"unrestricted"}"#,
         .setCode(slot: 7, name: "Plain", code: "246813", validUntil: nil, replace: false)),
        (#"{"command":"add_phone","id":"guest","name":"Guest","type":"scheduled","schedule":[{"days":["sat"],"from":"10:00","to":"11:00"}],"valid_until":"2030-01-01T00:00:00Z"}"#,
         .addPhone(id: "guest", name: "Guest", rules: AccessRules(type: .scheduled, schedule: [WeekWindow(days: [.sat], from: 600, to: 660)]),
                   validUntil: Date(timeIntervalSince1970: 1_893_456_000))),
        (#"{"command":"set_config","timezone":"Europe/Berlin"}"#, .setConfig(LockConfigPatch(timezone: "Europe/Berlin"))),
        (#"{"command":"clear_code","slot":1}"#, .clearCode(slot: 1)),
        (#"{"command":"enable_code","slot":3}"#, .enableCode(slot: 3)),
        (#"{"command":"disable_code","slot":4.0}"#, .disableCode(slot: 4)),
        (#"{"command":"enroll_fob","name":"Blue fob"}"#, .enrollFob(name: "Blue fob", slot: nil)),
        (#"{"command":"enroll_fob","name":"Blue fob","slot":7}"#, .enrollFob(name: "Blue fob", slot: 7)),
        (#"{"command":"revoke_fob","slot":7}"#, .revokeFob(slot: 7)),
        (#"{"command":"add_phone","id":"Anna.Pixel_8:a-1","name":"Anna"}"#, .addPhone(id: "Anna.Pixel_8:a-1", name: "Anna")),
        (#"{"command":"revoke_phone","id":"anna-pixel"}"#, .revokePhone(id: "anna-pixel")),
        (#"{"command":"set_override_code","code":"73915084"}"#, .setOverrideCode(code: "73915084")),
        (#"{"command":"set_mode","mode":"no_remote"}"#, .setMode(.noRemote)),
        (#"{"command":"set_config","lockout_s":120}"#, .setConfig(LockConfigPatch(lockoutSeconds: 120))),
        (#"{"command":"set_config","auto_relock_s":0,"wrong_code_limit":3,"lockout_s":3600,"require_code_for_remote":true}"#,
         .setConfig(LockConfigPatch(autoRelockSeconds: 0, wrongCodeLimit: 3, lockoutSeconds: 3600, requireCodeForRemote: true))),
        (#"{"command":"restart"}"#, .restart),
        (#"{"command":"factory_reset","confirm":"front-door"}"#, .factoryReset(confirm: "front-door")),
        (#"{"command":"refresh"}"#, .refresh),
        (#"{"command":"ack_fault","fault":"override_used"}"#, .ackFault(.overrideUsed)),
        (#"{"command":"ack_fault","fault":"duress","auth_code":"480913"}"#, .ackDuress),
    ]

    @Test(arguments: cases)
    func parses(_ payload: String, _ action: PublicAction) throws {
        let request = try Cmd.request(payload)
        #expect(request.action == action)
        #expect(request.action.name == (try JSONCommandName.of(payload)))
        #expect(!request.isPlain)
    }

    @Test func everyCommandOfTheSpecIsCovered() throws {
        let names = Set(try Self.cases.map { try JSONCommandName.of($0.0) })
        #expect(names.count == 18)
    }

    @Test func envelopeIsCarried() throws {
        let request = try Cmd.request(
            #"{"command":"unlock","code":"2468","request_id":"abc-1","issued_at":"\#(Cmd.stamp(-2))"}"#)
        #expect(request.requestID == "abc-1")
        #expect(request.issuedAt == Cmd.now.addingTimeInterval(-2))
        #expect(request.code == "2468")
        #expect(request.action == .unlock)
    }
}

/// Reads the `command` of a test payload without the parser under test.
enum JSONCommandName {
    static func of(_ payload: String) throws -> String {
        let marker = #""command":""#
        let start = try #require(payload.range(of: marker)).upperBound
        return String(payload[start...].prefix { $0 != "\"" })
    }
}

@Suite struct FieldRuleTests {
    /// Each payload breaks one rule; the result must be `invalid_field` naming `field`.
    static let cases: [(String, String)] = [
        // slot: integer 1…250, required where the spec lists it.
        (#"{"command":"clear_code"}"#, "slot"),
        (#"{"command":"clear_code","slot":0}"#, "slot"),
        (#"{"command":"enable_code","slot":251}"#, "slot"),
        (#"{"command":"disable_code","slot":-1}"#, "slot"),
        (#"{"command":"revoke_fob","slot":"2"}"#, "slot"),
        (#"{"command":"revoke_fob","slot":2.5}"#, "slot"),
        (#"{"command":"clear_code","slot":9223372036854775807}"#, "slot"),
        (#"{"command":"enroll_fob","name":"A","slot":0}"#, "slot"),
        (#"{"command":"set_code","slot":true,"name":"A","code":"246813"}"#, "slot"),
        // name: 1…64 characters, no control characters.
        (#"{"command":"enroll_fob"}"#, "name"),
        (#"{"command":"enroll_fob","name":""}"#, "name"),
        (#"{"command":"enroll_fob","name":"\#(String(repeating: "é", count: 65))"}"#, "name"),
        (#"{"command":"enroll_fob","name":"line\nbreak"}"#, "name"),
        (#"{"command":"enroll_fob","name":"bell\u0007"}"#, "name"),
        (#"{"command":"enroll_fob","name":"c1\u0085"}"#, "name"),
        (#"{"command":"enroll_fob","name":"sep\u2028"}"#, "name"),
        (#"{"command":"add_phone","id":"anna","name":42}"#, "name"),
        (#"{"command":"set_code","slot":1,"code":"246813"}"#, "name"),
        // phone id: 1…64 of [A-Za-z0-9._:-].
        (#"{"command":"add_phone","name":"Anna"}"#, "id"),
        (#"{"command":"add_phone","id":"","name":"Anna"}"#, "id"),
        (#"{"command":"add_phone","id":"anna pixel","name":"Anna"}"#, "id"),
        (#"{"command":"add_phone","id":"anna/pixel","name":"Anna"}"#, "id"),
        (#"{"command":"revoke_phone","id":"ännä"}"#, "id"),
        (#"{"command":"revoke_phone","id":"\#(String(repeating: "a", count: 65))"}"#, "id"),
        (#"{"command":"revoke_phone","id":7}"#, "id"),
        // Spec 7.1: type, schedule, valid_from, timezone.
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","type":"guest"}"#, "type"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","type":"scheduled"}"#, "schedule"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","schedule":[{"days":["mon"],"from":"08:00","to":"09:00"}]}"#, "schedule"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","type":"scheduled","schedule":[{"days":["mon"],"from":"08:00","to":"08:00"}]}"#, "schedule"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","type":"scheduled","schedule":[{"days":["monday"],"from":"08:00","to":"09:00"}]}"#, "schedule"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","type":"scheduled","schedule":[{"days":["mon"],"from":"8","to":"09:00"}]}"#, "schedule"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","type":"scheduled","schedule":[{"days":["mon"],"from":"08:00","to":"09:00","tz":"x"}]}"#, "schedule"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","type":"scheduled","schedule":{"days":["mon"]}}"#, "schedule"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","valid_from":"2031-01-01T00:00:00Z","valid_until":"2030-01-01T00:00:00Z"}"#, "valid_from"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","valid_from":"soon"}"#, "valid_from"),
        (#"{"command":"add_phone","id":"p","name":"P","type":"one_time"}"#, "type"),
        (#"{"command":"enroll_fob","name":"F","type":"duress"}"#, "type"),
        (#"{"command":"set_config","timezone":"Mars/Olympus"}"#, "timezone"),
        // mode: one of LockMode's raw values.
        (#"{"command":"set_mode"}"#, "mode"),
        (#"{"command":"set_mode","mode":"party"}"#, "mode"),
        (#"{"command":"set_mode","mode":"Normal"}"#, "mode"),
        (#"{"command":"set_mode","mode":1}"#, "mode"),
        // set_config: LockConfig's ranges.
        (#"{"command":"set_config","auto_relock_s":-1}"#, "auto_relock_s"),
        (#"{"command":"set_config","auto_relock_s":86401}"#, "auto_relock_s"),
        (#"{"command":"set_config","wrong_code_limit":2}"#, "wrong_code_limit"),
        (#"{"command":"set_config","wrong_code_limit":11}"#, "wrong_code_limit"),
        (#"{"command":"set_config","lockout_s":29}"#, "lockout_s"),
        (#"{"command":"set_config","lockout_s":3601}"#, "lockout_s"),
        (#"{"command":"set_config","require_code_for_remote":"yes"}"#, "require_code_for_remote"),
        (#"{"command":"set_config","require_code_for_remote":1}"#, "require_code_for_remote"),
        // valid_until and replace.
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","valid_until":"next week"}"#, "valid_until"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","valid_until":"2026-11-25T09:59:59Z"}"#, "valid_until"),
        (#"{"command":"set_code","slot":1,"name":"A","code":"246813","replace":"true"}"#, "replace"),
        // factory_reset needs confirm.
        (#"{"command":"factory_reset"}"#, "confirm"),
        (#"{"command":"factory_reset","confirm":true}"#, "confirm"),
        // ack_fault takes only override_used.
        (#"{"command":"ack_fault"}"#, "fault"),
        (#"{"command":"ack_fault","fault":"jammed"}"#, "fault"),
        (#"{"command":"ack_fault","fault":"no_such_fault"}"#, "fault"),
        (#"{"command":"ack_fault","fault":["override_used"]}"#, "fault"),
    ]

    @Test(arguments: cases)
    func refusedNamingTheField(_ payload: String, _ field: String) throws {
        let rejection = try Cmd.rejection(payload)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.field == field)
        #expect(rejection.error.message.contains(field))
        #expect(rejection.command == (try JSONCommandName.of(payload)))
    }

    @Test(arguments: [1, 250])
    func slotBounds(_ slot: Int) throws {
        #expect(try Cmd.request(#"{"command":"clear_code","slot":\#(slot)}"#).action == .clearCode(slot: slot))
    }

    @Test func nameOfSixtyFourCharactersIsAccepted() throws {
        let name = String(repeating: "é", count: 64)
        #expect(try Cmd.request(#"{"command":"enroll_fob","name":"\#(name)"}"#).action == .enrollFob(name: name, slot: nil))
    }

    @Test func emptySetConfigIsInvalidField() throws {
        let rejection = try Cmd.rejection(#"{"command":"set_config"}"#)
        #expect(rejection.error.code == .invalidField)
        #expect(rejection.error.message.contains("at least one"))
    }

    @Test func replaceDefaultsToFalse() throws {
        guard case .setCode(_, _, _, _, let replace, _) = try Cmd.request(
            #"{"command":"set_code","slot":1,"name":"A","code":"246813","replace":null}"#
        ).action else {
            Issue.record("not set_code")
            return
        }
        #expect(!replace)
    }
}

@Suite struct LockCommandMappingTests {
    static let hash = CodeHash(bytes: Array(repeating: 0x5a, count: 32))

    @Test func codesAreHashedWithTheGivenFunction() {
        var seen: [String] = []
        let command = PublicAction.setCode(slot: 2, name: "A", code: "246813", validUntil: nil, replace: true)
            .lockCommand { seen.append($0); return Self.hash }
        #expect(command == .setCode(slot: 2, name: "A", hash: Self.hash, validUntil: nil, replace: true))
        #expect(seen == ["246813"])
        let override = PublicAction.setOverrideCode(code: "73915084").lockCommand { seen.append($0); return Self.hash }
        #expect(override == .setOverrideCode(Self.hash))
        #expect(seen == ["246813", "73915084"])
    }

    @Test(arguments: AcceptedCommandTests.cases.map(\.1))
    func namesAgreeWithLockCore(_ action: PublicAction) {
        let command = action.lockCommand { _ in Self.hash }
        if case .ackFault = action {
            #expect(command == nil)
        } else {
            #expect(command?.name == action.name)
        }
    }

    @Test func factoryResetDropsTheConfirmation() {
        #expect(PublicAction.factoryReset(confirm: "front-door").lockCommand { _ in Self.hash } == .factoryReset)
    }
}
