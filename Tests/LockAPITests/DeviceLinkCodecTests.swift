import Foundation
import JSON
import LockAPI
import LockCore
import Testing

@Suite struct DeviceCommandTests {
    static let hash = CodeHash(bytes: Array(repeating: 0xab, count: 32))

    static let commands: [LockCommand] = [
        .lock, .unlock, .open, .restart, .factoryReset, .refresh,
        .setCode(slot: 2, name: "Dog walker", hash: hash, validUntil: Date(timeIntervalSince1970: 1_800_000_000), replace: true),
        .setCode(slot: 250, name: "Ünïcode ✓", hash: hash),
        .clearCode(slot: 1), .clearCode(slot: 2, plan: "cleaning"), .enableCode(slot: 3), .disableCode(slot: 4), .enrollFob(name: "Blue", slot: 7),
        .enrollFob(name: "Any", slot: nil), .revokeFob(slot: 7), .addPhone(id: "anna-pixel", name: "Anna"),
        .revokePhone(id: "anna-pixel"), .setOverrideCode(hash), .setMode(.noRemote),
        .setConfig(LockConfigPatch(autoRelockSeconds: 30, requireCodeForRemote: true)),
        .setCode(slot: 3, name: "Cleaner", hash: hash, rules: AccessRules(type: .scheduled, schedule: [
            WeekWindow(days: [.tue, .fri], from: 480, to: 720), WeekWindow(days: [.sun], from: 1320, to: 120),
        ], validFrom: Date(timeIntervalSince1970: 1_800_000_000))),
        .setCode(slot: 4, name: "Once", hash: hash, rules: AccessRules(type: .oneTime)),
        .setCode(slot: 6, name: "Cleaner", hash: hash, replace: true, plan: "cleaning"),
        .setCode(slot: 5, name: "Help", hash: hash, rules: AccessRules(type: .duress)),
        .enrollFob(name: "Guest", slot: 2, rules: AccessRules(type: .scheduled, schedule: [WeekWindow(days: [.sat], from: 600, to: 660)]),
                   validUntil: Date(timeIntervalSince1970: 1_900_000_000)),
        .addPhone(id: "guest", name: "Guest", rules: AccessRules(validFrom: Date(timeIntervalSince1970: 1_800_000_000))),
        .setConfig(LockConfigPatch(timezone: "Europe/Berlin")),
        .ackDuress, .setClock(at: Date(timeIntervalSince1970: 1_800_000_000)),
    ]

    /// Hands the sealed bytes back as they are, to check the codec alone.
    static func asSealed(_ sealed: [UInt8], _ field: String) -> CodeHash { CodeHash(bytes: sealed) }

    @Test(arguments: commands)
    func roundTrips(_ command: LockCommand) throws {
        let original = DeviceCommand(requestID: "r-1", counter: 42, command: command, code: Self.hash)
        let parsed = try DeviceCommand.parse(try original.payload(), opening: Self.asSealed)
        #expect(parsed == original)
    }

    @Test func goldenPayload() throws {
        let command = DeviceCommand(requestID: "abc-1", counter: 7, command: .setMode(.vacation))
        #expect(String(decoding: try command.payload(), as: UTF8.self)
            == #"{"v":2,"request_id":"abc-1","counter":7,"command":"set_mode","mode":"vacation"}"#)
    }

    @Test(arguments: [
        (#"{"v":1,"request_id":"a","counter":1,"command":"lock"}"#, "v"),
        (#"{"v":2,"request_id":"a","counter":0,"command":"lock"}"#, "counter"),
        (#"{"v":2,"request_id":"a","counter":1,"command":"dance"}"#, "command"),
        (#"{"v":2,"request_id":"a","counter":1,"command":"set_mode","mode":"party"}"#, "mode"),
        (#"{"v":2,"request_id":"a","counter":1,"command":"clear_code","slot":"two"}"#, "slot"),
        (#"{"v":2,"request_id":"a","counter":1,"command":"set_override_code","new_code_enc":"zz"}"#, "new_code_enc"),
        // A version 1 code hash is not read as a code at all: the sealed field is missing.
        (#"{"v":2,"request_id":"a","counter":1,"command":"set_override_code","new_code_hash":"abab"}"#, "new_code_enc"),
    ])
    func rejectsBadCommandsNamingTheField(_ payload: String, _ field: String) {
        #expect(throws: DeviceLinkError.self) { try DeviceCommand.parse(Array(payload.utf8), opening: Self.asSealed) }
        do {
            _ = try DeviceCommand.parse(Array(payload.utf8), opening: Self.asSealed)
        } catch {
            #expect(error.field == field)
        }
    }
}

@Suite struct DeviceSignerTests {
    @Test func signsAndVerifies() throws {
        let signer = DeviceSigner(key: Array(repeating: 7, count: 32))
        let lock = try #require(LockID("front-door"))
        let payload = Array(#"{"v":1}"#.utf8)
        let mac = signer.mac(lock: lock, payload: payload)
        #expect(mac.count == 64)
        #expect(signer.verify(lock: lock, payload: payload, mac: mac))
        #expect(!signer.verify(lock: try #require(LockID("back-door")), payload: payload, mac: mac))
        #expect(!signer.verify(lock: lock, payload: payload + [32], mac: mac))
        #expect(!DeviceSigner(key: Array(repeating: 8, count: 32)).verify(lock: lock, payload: payload, mac: mac))
        #expect(!signer.verify(lock: lock, payload: payload, mac: "not hex"))
    }

    @Test func refusesShortKeyFiles() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("short-\(UUID()).key").path
        try "abcd\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: DeviceLinkError.self) { try DeviceSigner(keyFile: file) }
        try DeviceSigner.newKeyFileContents().write(toFile: file, atomically: true, encoding: .utf8)
        _ = try DeviceSigner(keyFile: file)
    }
}

@Suite struct RFC3339Tests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_600_000.123)) == "2026-11-25T09:46:40.123Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func parsesAnyOffset() throws {
        let utc = try #require(RFC3339.parse("2026-11-25T10:00:00.123Z"))
        #expect(abs(utc.timeIntervalSince1970 - 1_795_600_800.123) < 0.0005)
        #expect(RFC3339.parse("2026-11-25T10:00:00+00:00") == RFC3339.parse("2026-11-25T10:00:00Z"))
        #expect(RFC3339.parse("2026-11-25T12:00:00+02:00") == RFC3339.parse("2026-11-25T10:00:00Z"))
        #expect(RFC3339.parse("2026-11-25T10:00:00.654321+00:00") != nil)
        for bad in ["", "2026-11-25", "2026-11-25T10:00:00", "2026-13-01T00:00:00Z", "2026-11-25T10:00:00Zjunk", "yesterday"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    /// Found by the device fuzz target: a time with more than three fraction digits read back
    /// differently after being written, so a snapshot did not survive its own round trip.
    @Test func whatIsWrittenReadsBackTheSame() throws {
        let long = try #require(RFC3339.parse("2026-11-25T11:09:13.96022222222222222Z"))
        #expect(long == RFC3339.parse("2026-11-25T11:09:13.960Z"))
        #expect(RFC3339.parse("2026-11-25T11:09:13.9Z") == RFC3339.parse("2026-11-25T11:09:13.900Z"))
        for millis in stride(from: 0, to: 1_000_000, by: 997) {
            let date = Date(timeIntervalSince1970: 1_795_600_000 + Double(millis) / 1000)
            let text = RFC3339.format(date)
            let back = try #require(RFC3339.parse(text))
            #expect(RFC3339.format(back) == text && RFC3339.parse(RFC3339.format(back)) == back, "\(text)")
        }
    }
}
