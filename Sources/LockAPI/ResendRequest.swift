public import JSON

/// `lockdev/<id>/resend`: the bridge missed events and asks the lock to send them again.
/// Signed like a command, and its counter shares the command counter's replay protection.
public struct ResendRequest: Sendable, Equatable {
    public var counter: UInt64
    public var epoch: Int64
    public var fromSeq: Int64
    /// As on commands (spec 8): the sending bridge's epoch for the lock's shard; 0 on its own.
    public var ownerEpoch: UInt64

    public init(counter: UInt64, epoch: Int64, fromSeq: Int64, ownerEpoch: UInt64 = 0) {
        self.ownerEpoch = ownerEpoch
        self.counter = counter
        self.epoch = epoch
        self.fromSeq = fromSeq
    }

    public func payload() throws(JSONError) -> [UInt8] {
        var o: JSONObject = [
            "v": .int(Int64(DeviceTopics.version)), "counter": .int(Int64(counter)), "epoch": .int(epoch), "from_seq": .int(fromSeq),
        ]
        if ownerEpoch > 0 { o["owner_epoch"] = .int(Int64(ownerEpoch)) }
        return try o.serializedBytes()
    }

    public static func parse(_ bytes: [UInt8]) throws(DeviceLinkError) -> ResendRequest {
        try SignedEnvelope.read(bytes) { o, counter in
            ResendRequest(
                counter: counter, epoch: Int64(try o.int("epoch")), fromSeq: Int64(try o.int("from_seq")), ownerEpoch: try SignedEnvelope.ownerEpoch(o))
        }
    }
}
