import Foundation
import JSON
import LockAPI
import LockCore

/// What a feature sees while the bridge handles one lock: the lock's record, the time, the
/// settings, and the effects so far. Features change the record and add effects through it.
struct LockContext {
    var record: LockRecord
    let now: Date
    let settings: CoreSettings
    var effects: [BridgeEffect] = []
    /// Code ages are checked every few seconds, not every tick (10,000 locks × codes).
    var rotationCheckDue = false
    /// Discovery configs wait until this connection's scan for an earlier run's configs is done.
    var discoveryHeld = false

    init(_ record: LockRecord, now: Date, settings: CoreSettings, discoveryHeld: Bool = false) {
        self.record = record
        self.now = now
        self.settings = settings
        self.discoveryHeld = discoveryHeld
    }

    var configuration: BridgeConfiguration { settings.configuration }

    mutating func publish(_ publication: Publication) { effects.append(.publish(publication)) }

    mutating func publishState() { publish(Self.state(record, settings)) }

    /// Online or offline; every feature hears of the change (and of a lock's first report).
    mutating func setOnline(_ online: Bool, firstReport: Bool = false) {
        guard record.online != online || firstReport else { return }
        record.online = online
        publish(Self.availability(record, settings))
        for feature in Features.all { feature.availabilityChanged(&self) }
    }

    /// A fault the bridge raises itself, once until cleared.
    mutating func raise(_ fault: FaultCode, detail: JSONObject = [:]) {
        guard record.bridgeFaults[fault] == nil else { return }
        record.bridgeFaults[fault] = now
        effects.append(.event(faultEvent(fault, raised: true, detail: detail)))
    }

    mutating func clear(_ fault: FaultCode, detail: JSONObject = [:]) {
        guard record.bridgeFaults.removeValue(forKey: fault) != nil else { return }
        effects.append(.event(faultEvent(fault, raised: false, detail: detail)))
    }

    /// A fault event the bridge itself raises or clears: `source: bridge`, numbered in the
    /// bridge's persisted epoch with the lock's next bridge seq (spec 3.3), so every event is
    /// unique by (source, epoch, seq).
    mutating func faultEvent(_ fault: FaultCode, raised: Bool, detail: JSONObject) -> AuditedEvent {
        record.bridgeSeq += 1
        let payload: JSONObject = [
            "event_type": .string(raised ? "fault_raised" : "fault_cleared"), "fault": .string(fault.rawValue),
            "severity": .string(fault.severity.rawValue), "detail": .object(detail), "source": "bridge",
            "epoch": .int(settings.bridgeEpoch), "seq": .int(record.bridgeSeq), "at": .time(now),
        ]
        return AuditedEvent(
            lock: record.id, category: "fault", topic: settings.publicTopics.lock(record.id, .faultEvent),
            payload: BridgeMachine.bytes(payload), epoch: nil, seq: nil, at: now, bridgeSeq: record.bridgeSeq)
    }
}

extension LockContext {
    static func state(_ record: LockRecord, _ settings: CoreSettings) -> Publication {
        Publication(
            topic: settings.publicTopics.lock(record.id, .state), payload: BridgeMachine.bytes(StatePayload.object(record)), retain: true)
    }

    static func availability(_ record: LockRecord, _ settings: CoreSettings) -> Publication {
        Publication(topic: settings.publicTopics.lock(record.id, .availability), payload: Array((record.online ? "online" : "offline").utf8), retain: true)
    }

    static func credentials(_ record: LockRecord, _ settings: CoreSettings) -> Publication {
        Publication(
            topic: settings.publicTopics.lock(record.id, .credentials), payload: BridgeMachine.bytes(credentialsObject(record, settings)), retain: true)
    }

    /// Credential metadata as the lock reports it, plus when each code should be rotated.
    static func credentialsObject(_ record: LockRecord, _ settings: CoreSettings) -> JSONObject {
        record.snapshot?.credentials.object(rotation: settings.configuration.codeRotationDays * 86_400) ?? [:]
    }

    static func batteryAlert(_ record: LockRecord, _ settings: CoreSettings, now: Date) -> Publication {
        let percent = record.snapshot?.battery.percent ?? 0
        let payload: JSONObject = [
            "level": .string(record.batteryLevel.rawValue), "percent": .int(Int64(percent.rounded(.up))),
            "since": .time(record.batteryLevelSince ?? now),
        ]
        return Publication(topic: settings.publicTopics.lock(record.id, .batteryAlert), payload: BridgeMachine.bytes(payload), retain: true)
    }
}
