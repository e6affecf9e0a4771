import Foundation
import Testing
@testable import LockCore

@Suite struct CredentialTests {
    @Test func setCodeAndSlotRules() {
        var rig = Rig()
        rig.addPin("480913", slot: 2, name: "Dog walker")
        let pin = rig.lock.credentials.pins.first
        #expect(pin?.slot == 2 && pin?.name == "Dog walker" && pin?.enabled == true && pin?.setAt == rig.now)
        #expect(rig.outputs.credentialEvents.last?.eventType == .codeSet)
        #expect(rig.command(.setCode(slot: 2, name: "B", hash: rig.hash("720615")))?.error?.code == .slotOccupied)
        #expect(rig.command(.setCode(slot: 2, name: "B", hash: rig.hash("720615"), replace: true))?.isOK == true)
        #expect(rig.lock.credentials.pins.count == 1)
        #expect(rig.command(.setCode(slot: 0, name: "B", hash: rig.hash("391840")))?.error?.field == "slot")
        #expect(rig.command(.setCode(slot: 251, name: "B", hash: rig.hash("391840")))?.error?.code == .invalidField)
        #expect(rig.command(.setCode(slot: 3, name: "", hash: rig.hash("391840")))?.error?.field == "name")
        #expect(rig.command(.setCode(slot: 3, name: "B", hash: CodeHash(bytes: [1, 2])))?.error?.field == "code")
    }

    @Test func duplicateCodesAreRefused() {
        var rig = Rig()
        rig.addPin("480913", slot: 1)
        let dup = rig.command(.setCode(slot: 2, name: "B", hash: rig.hash("480913")))
        #expect(dup?.error?.code == .weakCode && dup?.error?.rule == .duplicateCode)
        #expect(rig.command(.setOverrideCode(rig.hash("480913")))?.error?.rule == .duplicateCode)
        rig.command(.setOverrideCode(rig.hash("39184027")))
        #expect(rig.command(.setCode(slot: 2, name: "B", hash: rig.hash("39184027")))?.error?.rule == .duplicateCode)
        #expect(rig.command(.setCode(slot: 1, name: "A", hash: rig.hash("480913"), replace: true))?.isOK == true)
    }

    @Test func clearEnableDisable() {
        var rig = Rig()
        rig.addPin("480913", slot: 1)
        #expect(rig.command(.disableCode(slot: 1))?.isOK == true)
        #expect(rig.lock.credentials.pins[0].enabled == false)
        #expect(rig.command(.enableCode(slot: 1))?.isOK == true)
        #expect(rig.command(.clearCode(slot: 1))?.isOK == true)
        #expect(rig.command(.clearCode(slot: 1))?.error?.code == .notFound)
        #expect(rig.command(.enableCode(slot: 9))?.error?.code == .notFound)
        #expect(rig.outputs.credentialEvents.map(\.eventType) == [.codeSet, .codeDisabled, .codeEnabled, .codeCleared])
    }

    @Test func keypadUseRecordsLastUsed() {
        var rig = Rig()
        rig.addPin("480913", slot: 4, name: "Anna")
        rig.advance(10)
        let out = rig.send(.keypad("480913"))
        #expect(out.access.first?.credential == CredentialRef(type: .pin, slot: 4, name: "Anna"))
        #expect(rig.lock.credentials.pins[0].lastUsedAt == rig.now)
        #expect(rig.lock.lastAccess?.at == rig.now)
    }

    @Test func fobEnrolment() {
        var rig = Rig()
        let id = "enrol-1"
        let start = rig.send(.command(.enrollFob(name: "Blue", slot: 3), requestID: id))
        #expect(start.results.isEmpty)
        #expect(start.credentialEvents.first?.eventType == .enrolmentStarted)
        #expect(rig.command(.refresh)?.error?.code == .busy)
        #expect(rig.command(.unlock)?.error?.code == .busy)
        rig.advance(30)
        let tap = rig.send(.fob(id: "04:a2:19"))
        #expect(tap.results == [CommandResult(requestID: id, command: "enroll_fob", error: nil)])
        #expect(tap.credentialEvents.first?.eventType == .fobEnrolled)
        #expect(rig.lock.credentials.fobs.first?.slot == 3)
        #expect(rig.lock.enrolment == nil)
        #expect(rig.send(.fob(id: "04:a2:19")).granted)
        #expect(rig.send(.fob(id: "ff:ff")).access.first?.reason == .unknownFob)
        #expect(rig.command(.revokeFob(slot: 3))?.isOK == true)
        #expect(rig.command(.revokeFob(slot: 3))?.error?.code == .notFound)
    }

    @Test func fobEnrolmentTimesOutOnATick() {
        var rig = Rig()
        rig.send(.command(.enrollFob(name: "Blue"), requestID: "e"))
        #expect(rig.advance(59).results.isEmpty)
        let out = rig.advance(1)
        #expect(out.results.first?.requestID == "e" && out.results.first?.error?.code == .timeout)
        #expect(rig.lock.credentials.fobs.isEmpty)
        #expect(rig.command(.refresh)?.isOK == true)
    }

    @Test func enrolmentSlotRules() {
        var rig = Rig()
        rig.send(.command(.enrollFob(name: "A"), requestID: "e"))
        rig.send(.fob(id: "a"))
        #expect(rig.lock.credentials.fobs.first?.slot == 1, "lowest free slot")
        #expect(rig.command(.enrollFob(name: "B", slot: 1))?.error?.code == .slotOccupied)
        #expect(rig.command(.enrollFob(name: "B", slot: 300))?.error?.field == "slot")
    }

    @Test func aCrashDuringEnrolmentStillAnswersOnce() {
        var rig = Rig()
        rig.send(.command(.enrollFob(name: "A"), requestID: "e"))
        let out = rig.send(.glitch(.crash))
        #expect(out.results.map(\.requestID) == ["e"])
        #expect(rig.advance(120).results.isEmpty)
    }

    @Test func phones() {
        var rig = Rig()
        #expect(rig.command(.addPhone(id: "anna-pixel", name: "Anna"))?.isOK == true)
        #expect(rig.command(.addPhone(id: "anna-pixel", name: "Anna"))?.error?.code == .slotOccupied)
        #expect(rig.command(.addPhone(id: "", name: "Anna"))?.error?.field == "id")
        #expect(rig.send(.phone(id: "anna-pixel", command: .unlock)).granted)
        #expect(rig.send(.phone(id: "anna-pixel", command: .lock)).access.first?.eventType == .lock)
        #expect(rig.send(.phone(id: "bob", command: .unlock)).access.first?.reason == .unknownPhone)
        #expect(rig.lock.credentials.phones.first?.lastUsedAt == rig.now)
        #expect(rig.command(.revokePhone(id: "anna-pixel"))?.isOK == true)
        #expect(rig.command(.revokePhone(id: "anna-pixel"))?.error?.code == .notFound)
        #expect(rig.outputs.credentialEvents.map(\.eventType) == [.phoneAdded, .phoneRevoked])
    }

    @Test func setConfigValidatesAndReports() {
        var rig = Rig()
        #expect(rig.command(.setConfig(LockConfigPatch(wrongCodeLimit: 2)))?.error?.field == "wrong_code_limit")
        #expect(rig.command(.setConfig(LockConfigPatch(wrongCodeLimit: 11)))?.error?.code == .invalidField)
        #expect(rig.command(.setConfig(LockConfigPatch(lockoutSeconds: 29)))?.error?.field == "lockout_s")
        #expect(rig.command(.setConfig(LockConfigPatch(minCodeLength: 3)))?.error?.field == "min_code_length")
        #expect(rig.command(.setConfig(LockConfigPatch(autoRelockSeconds: -1)))?.error?.field == "auto_relock_s")
        #expect(rig.lock.config == LockConfig())
        #expect(rig.command(.setConfig(LockConfigPatch(autoRelockSeconds: 30, wrongCodeLimit: 3)))?.isOK == true)
        #expect(rig.outputs.system.last == SystemEvent(eventType: .configChanged, detail: "auto_relock_s,wrong_code_limit"))
        #expect(rig.lock.config.autoRelockSeconds == 30 && rig.lock.config.wrongCodeLimit == 3)
    }
}
