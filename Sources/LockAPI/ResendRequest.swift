public import JSON

/// `lockdev/<id>/resend`: the bridge missed events and asks the lock to send them again.
/// Signed like a command, and its counter shares the command counter's replay protection.
public struct ResendRequest: Sendable, Equatable {
    public var counter: UInt64
    public var epoch: Int64
    public var fromSeq: Int64

    public init(counter: UInt64, epoch: Int64, fromSeq: Int64) {
        self.counter = counter
        self.epoch = epoch
        self.fromSeq = fromSeq
    }

    public func payload() throws(JSONError) -> [UInt8] {
        let o: JSONObject = [
            "v": .int(Int64(DeviceTopics.version)), "counter": .int(Int64(counter)), "epoch": .int(epoch), "from_seq": .int(fromSeq),
        ]
        return try o.serializedBytes()
    }

    public static func parse(_ bytes: [UInt8]) throws(DeviceLinkError) -> ResendRequest {
        try SignedEnvelope.read(bytes) { o, counter in
            ResendRequest(counter: counter, epoch: Int64(try o.int("epoch")), fromSeq: Int64(try o.int("from_seq")))
        }
    }
}
