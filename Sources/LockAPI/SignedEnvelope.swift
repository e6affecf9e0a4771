import JSON

/// What every signed device-link request carries (commands and resend requests): the protocol
/// version and a positive replay counter. Errors name the field, as `DeviceLinkError`s.
enum SignedEnvelope {
    static func read<T>(_ bytes: [UInt8], _ body: (JSONObject, UInt64) throws -> T) throws(DeviceLinkError) -> T {
        do {
            let o = try JSON.parseObject(bytes)
            guard try o.int("v") == DeviceTopics.version else { throw DeviceLinkError("unsupported device link version", field: "v") }
            let counter = try o.int("counter")
            guard counter > 0 else { throw DeviceLinkError("counter must be positive", field: "counter") }
            return try body(o, UInt64(counter))
        } catch let error as DeviceLinkError {
            throw error
        } catch let error as JSONError {
            throw DeviceLinkError(error.description, field: error.field)
        } catch {
            throw DeviceLinkError("\(error)")
        }
    }

    /// `owner_epoch`, when a clustered bridge sent it (spec 8); 0 when absent.
    static func ownerEpoch(_ o: JSONObject) throws -> UInt64 {
        guard let epoch = try o.optionalInt("owner_epoch") else { return 0 }
        guard epoch >= 0 else { throw DeviceLinkError("owner_epoch must not be negative", field: "owner_epoch") }
        return UInt64(epoch)
    }
}
