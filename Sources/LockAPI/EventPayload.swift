public import JSON
public import LockCore

/// The JSON of an event, with the field names of the public API (spec 3.2, 3.3 and 3).
/// The device link sends the same fields plus `v`, `category` and `epoch`.
public enum EventPayload {
    public static func object(_ event: LockEvent, delayed: Bool = false) -> JSONObject {
        var o: JSONObject
        switch event.body {
        case .access(let access):
            o = Self.access(access)
        case .fault(let fault):
            var detail = JSONObject()
            for key in fault.detail.keys.sorted() { detail[key] = .int(Int64(fault.detail[key]!)) }
            o = [
                "event_type": .string(fault.eventType),
                "fault": .string(fault.fault.rawValue),
                "severity": .string(fault.severity.rawValue),
                "detail": .object(detail),
            ]
        case .credential(let credential):
            o = ["event_type": .string(credential.eventType.rawValue)]
            if let slot = credential.slot { o["slot"] = .int(Int64(slot)) }
            if let id = credential.id { o["id"] = .string(id) }
            if let name = credential.name { o["name"] = .string(name) }
            if let request = credential.requestID { o["request_id"] = .string(request) }
            if let plan = credential.plan { o["plan"] = .string(plan) }
        case .system(let system):
            o = ["event_type": .string(system.eventType.rawValue)]
            if let detail = system.detail { o["detail"] = .string(detail) }
        case .alert(let alert):
            o = ["event_type": .string(alert.kind.rawValue), "slot": .int(Int64(alert.slot))]
            if alert.acknowledged == true { o["acknowledged"] = true }
        }
        o["seq"] = .int(Int64(event.seq))
        o["epoch"] = .int(Int64(event.epoch))
        o["at"] = .string(RFC3339.format(event.at))
        if delayed { o["delayed"] = true }
        return o
    }

    /// Events delivered this long after they happened are marked `delayed` (spec 3.2).
    public static let lateAfter: Double = 30

    /// An event's payload with `delayed: true`; a payload that is not an object stays as it is.
    public static func markedDelayed(_ payload: [UInt8]) -> [UInt8] {
        guard var o = try? JSON.parseObject(payload), o["delayed"]?.boolValue != true else { return payload }
        o["delayed"] = true
        return (try? o.serializedBytes()) ?? payload
    }

    /// The fields of an access event, without `seq` and `at` (also used for `last_access`).
    public static func access(_ access: AccessEvent) -> JSONObject {
        [
            "event_type": .string(access.eventType.rawValue),
            "method": .string(access.method.rawValue),
            "credential": access.credential.map { .object(credential($0)) } ?? .null,
            "reason": access.reason.map { .string($0.rawValue) } ?? .null,
            "request_id": access.requestID.map { .string($0) } ?? .null,
        ]
    }

    /// `access`, `fault`, `credential` or `system`.
    public static func category(_ event: LockEvent) -> String {
        switch event.body {
        case .access: "access"
        case .fault: "fault"
        case .credential: "credential"
        case .system: "system"
        case .alert: "alert"
        }
    }

    /// `{"type":…, "slot"?, "name"?, "id"?}`: who, never a secret.
    public static func credential(_ ref: CredentialRef) -> JSONObject {
        var o: JSONObject = ["type": .string(ref.type.rawValue)]
        if let slot = ref.slot { o["slot"] = .int(Int64(slot)) }
        if let name = ref.name { o["name"] = .string(name) }
        if let id = ref.id { o["id"] = .string(id) }
        if ref.oneTime == true { o["one_time"] = true }
        return o
    }
}
