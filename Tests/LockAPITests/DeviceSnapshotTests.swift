import Foundation
import JSON
import LockAPI
import LockCore
import Testing

@Suite struct DeviceSnapshotTests {
    /// A snapshot as an emulated lock sends it (docs/device-link.md), with one of each credential.
    static let golden = #"{"v":2,"emulator":"emu-16126","firmware":"1.4.2","epoch":1795604895,"seq":2,"lock":"unlocked","door":"closed","mode":"normal","battery":{"percent":18.9,"voltage_mv":5102,"backup_power":false},"radio":{"wifi":true,"ble":false,"wifi_rssi":-61},"faults":["ble_down","jammed"],"lockout_until":null,"hung":false,"access":{"remote":{"usable":true},"keypad":{"usable":false,"reason":"no_credentials"},"ble_phone":{"usable":false,"reason":"ble_down"},"fob":{"usable":true},"mechanical_key":{"usable":true},"override":{"usable":true}},"credentials":{"codes":[{"slot":2,"name":"Dog walker","enabled":true,"set_at":"2026-11-25T11:00:00.000Z","valid_until":null,"last_used_at":"2026-11-25T11:05:00.000Z","type":"unrestricted","schedule":[],"valid_from":null,"usable_now":true}],"fobs":[{"slot":1,"name":"Blue fob","enrolled_at":"2026-11-25T10:00:00.000Z","last_used_at":null,"valid_until":null,"type":"unrestricted","schedule":[],"valid_from":null,"usable_now":true}],"phones":[{"id":"anna-pixel","name":"Anna","added_at":"2026-11-25T09:00:00.000Z","last_used_at":null,"valid_until":null,"type":"unrestricted","schedule":[],"valid_from":null,"usable_now":true}],"override":{"code_set":false,"key_fitted":true},"mechanical_key":{"fitted":true}},"config":{"auto_relock_s":0,"wrong_code_limit":5,"lockout_s":60,"require_code_for_remote":true,"door_ajar_s":120,"min_code_length":6},"salt":"a5565bca13853998a4d39180d72fa5c2","lock_time":"2026-11-25T11:09:13.960Z","at":"2026-11-25T11:09:13.960Z","last_access":{"event_type":"unlock","method":"remote","credential":null,"reason":null,"request_id":"twice-1","at":"2026-11-25T11:09:13.960Z"},"kdf_iterations":8192}"#

    @Test func parsesEveryFieldTyped() throws {
        let s = try DeviceSnapshot(payload: Array(Self.golden.utf8))
        #expect(s.emulator == "emu-16126" && s.firmware == "1.4.2" && s.epoch == 1_795_604_895 && s.seq == 2)
        #expect(s.lock == .unlocked && s.door == .closed && s.mode == .normal)
        #expect(s.battery == .init(percent: 18.9, voltageMillivolts: 5102, backupPower: false))
        #expect(s.radio == .init(wifi: true, ble: false, wifiRSSI: -61))
        #expect(s.faults == [.bleDown, .jammed])
        #expect(s.access.keypad == .blocked(.noCredentials) && s.access.remote.usable && s.access.usableCount == 4)
        #expect(s.credentials.codes.map(\.name) == ["Dog walker"] && s.credentials.fobs.map(\.slot) == [1])
        #expect(s.credentials.phones.map(\.id) == ["anna-pixel"] && !s.credentials.overrideCodeSet)
        #expect(s.config.requireCodeForRemote && s.salt.count == 16 && s.kdfIterations == 8192)
        #expect(s.lastAccess?.event.requestID == "twice-1" && s.lastAccess?.event.method == .remote)
    }

    @Test func serializesBackToTheSameBytes() throws {
        let s = try DeviceSnapshot(payload: Array(Self.golden.utf8))
        #expect(String(decoding: try s.payload(), as: UTF8.self) == Self.golden)
    }

    @Test func anEmulatedLockRoundTrips() throws {
        var lock = Lock(salt: Array(repeating: 3, count: 16), hasher: CodeHasher(iterations: 4))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        _ = lock.handle(.command(.setCode(slot: 3, name: "Cleaner", hash: lock.hash(code: "802514"), validUntil: nil, replace: false), requestID: "r"), now: now)
        let snapshot = DeviceSnapshot(lock, emulator: "emu-1", lockTime: now, wallTime: now)
        let parsed = try DeviceSnapshot(payload: try snapshot.payload())
        #expect(parsed == snapshot)
        #expect(parsed.credentials.codes.map(\.slot) == [3])
        // Metadata only: the code and its hash never reach the snapshot.
        #expect(!String(decoding: try snapshot.payload(), as: UTF8.self).contains("802514"))
    }

    @Test(arguments: [
        (#""v":2"#, #""v":1"#, "v"),
        (#""lock":"unlocked""#, #""lock":"ajar""#, "lock"),
        (#""faults":["ble_down","jammed"]"#, #""faults":["on_fire"]"#, "faults"),
        (#""salt":"a5565bca13853998a4d39180d72fa5c2""#, #""salt":"not hex""#, "salt"),
        (#""set_at":"2026-11-25T11:00:00.000Z""#, #""set_at":"yesterday""#, "set_at"),
        (#","seq":2"#, "", "seq"),
    ])
    func refusesABadSnapshotNamingTheField(_ original: String, _ replacement: String, _ field: String) {
        let bad = Self.golden.replacingOccurrences(of: original, with: replacement)
        #expect(bad != Self.golden)
        do {
            _ = try DeviceSnapshot(payload: Array(bad.utf8))
            Issue.record("accepted a snapshot with a bad \(field)")
        } catch {
            #expect(error.field == field)
        }
    }
}
