public import JSON

/// An event on `<base>/<lock id>/event/<category>` or in a `history` answer, as a client reads
/// it (``EventPayload`` writes the lock's events; the bridge adds its own faults).
///
/// Fields keep the spec's spelling; a value the client does not know stays readable as text.
public struct PublicEvent: Sendable, Equatable {
    /// Who sent a credential: a keypad slot, a fob slot or a phone id, and its holder's name.
    public struct Credential: Sendable, Equatable {
        public var type: String
        public var slot: Int?
        public var id: String?
        public var name: String?

        public init(type: String, slot: Int? = nil, id: String? = nil, name: String? = nil) {
            (self.type, self.slot, self.id, self.name) = (type, slot, id, name)
        }
    }

    public var eventType: String
    public var at: String
    public var seq: Int?
    public var epoch: Int?
    /// `bridge` for faults the bridge raised itself; `nil` for the lock's own events.
    public var source: String?
    public var delayed: Bool
    public var requestID: String?
    /// Access events: how, by whom, and why not.
    public var method: String?
    public var credential: Credential?
    public var reason: String?
    /// Fault events.
    public var fault: String?
    public var severity: String?
    /// A fault's facts (an object) or a system event's words (a string).
    public var detail: JSONValue?
    /// Credential events: the slot, phone id and name changed.
    public var slot: Int?
    public var id: String?
    public var name: String?
    /// Plan events (`<base>/bridge/event/plan`): the plan, the grant and what changed.
    public var plan: String?
    public var grant: String?
    public var change: String?

    public init(payload: [UInt8]) throws(JSONError) {
        try self.init(object: try JSON.parseObject(payload))
    }

    public init(object o: JSONObject) throws(JSONError) {
        eventType = try o.string("event_type")
        at = try o.optionalString("at") ?? ""
        seq = try o.optionalInt("seq")
        epoch = try o.optionalInt("epoch")
        source = try o.optionalString("source")
        delayed = try o.optionalBool("delayed") ?? false
        requestID = try o.optionalString("request_id")
        method = try o.optionalString("method")
        credential = try o.optionalObject("credential").map { c throws(JSONError) in
            Credential(
                type: try c.string("type"), slot: try c.optionalInt("slot"), id: try c.optionalString("id"),
                name: try c.optionalString("name"))
        }
        reason = try o.optionalString("reason")
        fault = try o.optionalString("fault")
        severity = try o.optionalString("severity")
        detail = o["detail"].flatMap { $0.isNull ? nil : $0 }
        slot = try o.optionalInt("slot")
        id = try o.optionalString("id")
        name = try o.optionalString("name")
        plan = try o.optionalString("plan")
        grant = try o.optionalString("grant")
        change = try o.optionalString("change")
    }
}
