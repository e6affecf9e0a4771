import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// The retained `state` payload and the `locks` answer, in both directions (spec 3.1).
@Suite struct PublicLockStateTests {
    static let golden = #"""
        {"lock":"locked","door":"closed","mode":"normal","battery":{"percent":63,"voltage_mv":5810,"level":"ok","backup_power":false,"days_left":212.5},"connectivity":{"wifi":"up","ble":"down","wifi_rssi":-61},"lockout_until":null,"access":{"remote":{"usable":true},"keypad":{"usable":true},"ble_phone":{"usable":false,"reason":"ble_down"},"fob":{"usable":true},"mechanical_key":{"usable":true},"override":{"usable":true}},"faults":["ble_down"],"last_access":{"event_type":"unlock","method":"keypad","credential":{"type":"pin","slot":2,"name":"Dog walker"},"reason":null,"request_id":null,"at":"2026-11-26T08:00:00.000Z"},"last_seen":"2026-11-26T08:00:05.000Z","firmware":"1.4.2","updated_at":"2026-11-26T08:00:05.000Z"}
        """#

    static let at = Date(timeIntervalSince1970: 1_795_680_000)

    static let expected = PublicLockState(
        lock: "locked", door: "closed", mode: "normal",
        battery: .init(percent: 63, voltageMillivolts: 5810, level: "ok", backupPower: false, daysLeft: 212.5),
        connectivity: .init(wifi: "up", ble: "down", wifiRSSI: -61),
        access: ["remote", "keypad", "ble_phone", "fob", "mechanical_key", "override"].map {
            .init(way: $0, usable: $0 != "ble_phone", reason: $0 == "ble_phone" ? "ble_down" : nil)
        },
        faults: ["ble_down"],
        lastAccess: LastAccess(
            event: AccessEvent(eventType: .unlock, method: .keypad, credential: CredentialRef(type: .pin, slot: 2, name: "Dog walker")),
            at: at),
        lastSeen: at.addingTimeInterval(5), firmware: "1.4.2", updatedAt: at.addingTimeInterval(5))

    @Test func theGoldenStateReadsIntoItsFields() throws {
        #expect(try PublicLockState(payload: Array(Self.golden.utf8)) == Self.expected)
    }

    @Test func theStateWritesTheGoldenBytes() throws {
        #expect(try JSONValue.object(Self.expected.object).serialized() == Self.golden)
    }

    @Test func aLockNotHeardFromYetRoundTripsWithItsNulls() throws {
        let state = PublicLockState(
            lock: "unknown", door: "unknown", mode: "normal", battery: .init(percent: 0, level: "ok"),
            connectivity: .init(wifi: "up", ble: "up"), lockoutUntil: Self.at,
            access: [.init(way: "remote", usable: false, reason: "lock_offline")])
        let text = try JSONValue.object(state.object).serialized()
        #expect(text.contains(#""voltage_mv":null"#) && text.contains(#""days_left":null"#) && text.contains(#""last_seen":null"#))
        #expect(try PublicLockState(payload: Array(text.utf8)) == state)
    }

    @Test func aValueFromANewerBridgeIsReadAsText() throws {
        let newer = Self.golden.replacingOccurrences(of: #""lock":"locked""#, with: #""lock":"half_turned""#)
        #expect(try PublicLockState(payload: Array(newer.utf8)).lock == "half_turned")
    }

    @Test func aStateWithoutBatteryIsRefusedByName() {
        let broken = Self.golden.replacingOccurrences(of: #""battery":"#, with: #""batt":"#)
        #expect(throws: JSONError.self) { try PublicLockState(payload: Array(broken.utf8)) }
        do {
            _ = try PublicLockState(payload: Array(broken.utf8))
        } catch {
            #expect(error.field == "battery")
        }
    }

    @Test func theLocksAnswerAddsIdAndAvailability() throws {
        let summary = PublicLockSummary(id: "front-door", online: false, state: Self.expected)
        let o = summary.object
        #expect(o["id"]?.stringValue == "front-door" && o["availability"]?.stringValue == "offline")
        #expect(try PublicLockSummary(json: o) == summary)
    }

    @Test func theBridgesCredentialsCarryRotateBy() throws {
        let lockSide = #"{"codes":[{"slot":1,"name":"Anna","enabled":true,"set_at":"2026-11-26T08:00:00Z","valid_until":null,"last_used_at":null}]}"#
        let list = try CredentialList(json: try JSON.parseObject(Array(lockSide.utf8)))
        #expect(list.codes.first?.rotateBy == nil)
        let read = try CredentialList(json: list.object(rotation: 86_400))
        #expect(read.codes.first?.rotateBy == Self.at.addingTimeInterval(86_400))
    }
}
