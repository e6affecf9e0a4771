public import JSON
public import LockCore

extension DeviceSnapshot {
    /// Payload size and depth a snapshot may have: a lock with many credentials is still far below.
    public static let limits = JSONLimits(maxBytes: 1 << 20, maxDepth: 16)

    /// The JSON, keys in the order of docs/device-link.md.
    public var object: JSONObject {
        var radioObject: JSONObject = ["wifi": .bool(radio.wifi), "ble": .bool(radio.ble)]
        if let rssi = radio.wifiRSSI { radioObject["wifi_rssi"] = .int(Int64(rssi)) }
        if let rssi = radio.bleRSSI { radioObject["ble_rssi"] = .int(Int64(rssi)) }
        var o: JSONObject = [
            "v": .int(Int64(DeviceTopics.version)), "emulator": emulator.map(JSONValue.string) ?? .null,
            "firmware": firmware.map(JSONValue.string) ?? .null, "epoch": .int(epoch), "seq": .int(seq),
            "lock": .string(lock.rawValue), "door": .string(door.rawValue), "mode": .string(mode.rawValue),
            "battery": .object([
                "percent": .double(battery.percent), "voltage_mv": battery.voltageMillivolts.map { .int(Int64($0)) } ?? .null,
                "backup_power": .bool(battery.backupPower),
            ]),
            "radio": .object(radioObject),
            "faults": .array(faults.map { .string($0.rawValue) }),
            "lockout_until": .time(lockoutUntil),
            "hung": .bool(hung),
            "access": .object(access.object),
            "credentials": .object(credentials.object()),
            "config": .object(ConfigPayload.object(config)),
            "salt": .string(Hex.encode(salt)),
            "lock_time": .time(lockTime),
            "at": .time(at),
        ]
        o["last_access"] = lastAccess.map { .object($0.object) } ?? .null
        if let kdfIterations { o["kdf_iterations"] = .int(Int64(kdfIterations)) }
        if !clockSet { o["clock_set"] = false }
        return o
    }

    public func payload() throws(JSONError) -> [UInt8] { try object.serializedBytes() }

    /// Parses a snapshot; fails on another link version, a missing core field or a value out of
    /// its set. Fields a lock may leave out (emulator, firmware, rssi, rounds, clocks) are optional.
    public init(payload: [UInt8]) throws(JSONError) {
        try self.init(json: try JSON.parseObject(payload, limits: Self.limits))
    }

    public init(json o: JSONObject) throws(JSONError) {
        guard try o.int("v") == DeviceTopics.version else {
            throw JSONError(.outOfRange, field: "v", detail: "device link version \(DeviceTopics.version) expected")
        }
        emulator = try o.optionalString("emulator")
        firmware = try o.optionalString("firmware")
        epoch = Int64(try o.int("epoch"))
        seq = Int64(try o.int("seq"))
        lock = try o.requiredCase("lock")
        door = try o.requiredCase("door")
        mode = try o.requiredCase("mode")
        let b = try o.object("battery")
        battery = BatteryReading(
            percent: try b.double("percent"), voltageMillivolts: try b.optionalInt("voltage_mv"), backupPower: try b.optionalBool("backup_power") ?? false)
        let r = try o.object("radio")
        radio = RadioReading(
            wifi: try r.bool("wifi"), ble: try r.bool("ble"), wifiRSSI: try r.optionalInt("wifi_rssi"), bleRSSI: try r.optionalInt("ble_rssi"))
        var faults: [FaultCode] = []
        for value in try o.optionalArray("faults") ?? [] {
            guard let fault = value.stringValue.flatMap(FaultCode.init(rawValue:)) else {
                throw JSONError(.outOfRange, field: "faults", detail: "an unknown fault code")
            }
            faults.append(fault)
        }
        self.faults = faults.sorted()
        lockoutUntil = try o.optionalTime("lockout_until")
        hung = try o.optionalBool("hung") ?? false
        clockSet = try o.optionalBool("clock_set") ?? true
        access = try WaysIn(json: try o.object("access"))
        credentials = try CredentialList(json: try o.object("credentials"))
        // What the lock reports, as it is: range checks belong to the lock's own `set_config`.
        let patch = try ConfigPayload.patch(try o.optionalObject("config") ?? [:])
        let defaults = LockConfig()
        config = LockConfig(
            autoRelockSeconds: patch.autoRelockSeconds ?? defaults.autoRelockSeconds, wrongCodeLimit: patch.wrongCodeLimit ?? defaults.wrongCodeLimit,
            lockoutSeconds: patch.lockoutSeconds ?? defaults.lockoutSeconds, requireCodeForRemote: patch.requireCodeForRemote ?? defaults.requireCodeForRemote,
            doorAjarSeconds: patch.doorAjarSeconds ?? defaults.doorAjarSeconds, minCodeLength: patch.minCodeLength ?? defaults.minCodeLength)
        guard let salt = Hex.decode(try o.string("salt")) else { throw JSONError(.wrongType, field: "salt", detail: "expected lowercase hex") }
        self.salt = salt
        kdfIterations = try o.optionalInt("kdf_iterations")
        lockTime = try o.optionalTime("lock_time")
        at = try o.optionalTime("at")
        lastAccess = try o.optionalObject("last_access").map { last throws(JSONError) in
            LastAccess(event: try AccessEvent(json: last), at: try last.time("at"))
        }
    }

    /// The hasher the lock uses for codes, once the snapshot names its rounds.
    public var codeHasher: CodeHasher? { kdfIterations.map { CodeHasher(iterations: $0) } }
}

extension LastAccess {
    /// The access event with its time, as `last_access` in the snapshot and in `state`.
    public var object: JSONObject {
        var o = EventPayload.access(event)
        o["at"] = .time(at)
        return o
    }
}

extension AccessEvent {
    /// Reads the fields ``EventPayload/access(_:)`` writes.
    public init(json o: JSONObject) throws(JSONError) {
        self.init(
            eventType: try o.requiredCase("event_type"), method: try o.requiredCase("method"),
            credential: try o.optionalObject("credential").map { c throws(JSONError) in
                CredentialRef(type: try c.requiredCase("type"), slot: try c.optionalInt("slot"), name: try c.optionalString("name"), id: try c.optionalString("id"))
            },
            reason: try o.optionalCase("reason"), requestID: try o.optionalString("request_id"))
    }
}
