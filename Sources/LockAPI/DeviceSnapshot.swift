public import Foundation
public import LockCore

/// The retained device snapshot on `lockdev/<id>/state` (docs/device-link.md): everything the
/// bridge needs to know about a lock, typed. The emulator builds it from its `Lock`; the bridge
/// parses it once per message and keeps it as it is, with no JSON tree or payload bytes.
public struct DeviceSnapshot: Sendable, Equatable {
    /// The emulator process the lock lives in (its Last Will takes the lock offline).
    public var emulator: String?
    public var firmware: String?
    public var epoch: Int64
    /// The lock's last event number.
    public var seq: Int64
    public var lock: LockState
    public var door: DoorState
    public var mode: LockMode
    public var battery: BatteryReading
    public var radio: RadioReading
    /// The lock's own active faults, sorted.
    public var faults: [FaultCode]
    public var lockoutUntil: Date?
    public var hung: Bool
    /// False after a power loss until the bridge sets the lock's clock (spec 7.1).
    public var clockSet = true
    public var access: WaysIn
    public var credentials: CredentialList
    public var config: LockConfig
    /// The lock's PBKDF2 salt and rounds, to hash codes as it does.
    public var salt: [UInt8]
    public var kdfIterations: Int?
    /// The lock's own clock (faster under `--time-scale`), for the battery forecast.
    public var lockTime: Date?
    /// Wall-clock time of the snapshot.
    public var at: Date?
    public var lastAccess: LastAccess?

    public struct BatteryReading: Sendable, Equatable {
        public var percent: Double
        public var voltageMillivolts: Int?
        public var backupPower: Bool

        /// Whether the lock has power at all (it reports its last snapshot as it dies).
        public var powered: Bool { percent > 0 || backupPower }

        public init(percent: Double, voltageMillivolts: Int?, backupPower: Bool) {
            self.percent = percent
            self.voltageMillivolts = voltageMillivolts
            self.backupPower = backupPower
        }
    }

    public struct RadioReading: Sendable, Equatable {
        public var wifi: Bool
        public var ble: Bool
        public var wifiRSSI: Int?
        public var bleRSSI: Int?

        public init(wifi: Bool, ble: Bool, wifiRSSI: Int? = nil, bleRSSI: Int? = nil) {
            self.wifi = wifi
            self.ble = ble
            self.wifiRSSI = wifiRSSI
            self.bleRSSI = bleRSSI
        }
    }
}

extension DeviceSnapshot {
    /// The snapshot of an emulated lock.
    /// - Parameters:
    ///   - lockTime: the lock's own clock (faster under `--time-scale`).
    ///   - wallTime: real time, for `at`.
    public init(_ lock: Lock, emulator: String, lockTime: Date, wallTime: Date) {
        self.emulator = emulator
        firmware = lock.firmware
        epoch = Int64(lock.epoch)
        seq = Int64(lock.seq)
        self.lock = lock.state
        door = lock.door
        mode = lock.mode
        battery = BatteryReading(
            percent: (lock.battery.percent * 100).rounded() / 100, voltageMillivolts: lock.battery.voltageMillivolts,
            backupPower: lock.battery.backupPower)
        radio = RadioReading(wifi: lock.wifiUp, ble: lock.bleUp)
        faults = lock.activeFaults.sorted()
        lockoutUntil = lock.lockoutUntil(now: lockTime)
        hung = lock.isHung
        clockSet = lock.clockLost != true
        access = WaysIn(lock.waysIn(now: lockTime))
        credentials = CredentialList(lock.credentials, at: lock.time(lockTime))
        config = lock.config
        salt = lock.salt
        kdfIterations = lock.hasher.iterations
        self.lockTime = lockTime
        at = wallTime
        lastAccess = lock.lastAccess
    }
}
