internal import CMosquitto
#if canImport(Glibc)
internal import Glibc
#endif

/// Converts between `MQTTProperties` and libmosquitto property lists.
enum MosquittoProperties {
    /// Builds a property list the caller must free with `mosquitto_property_free_all`.
    static func make(_ properties: MQTTProperties) throws(MQTTError) -> OpaquePointer? {
        var list: OpaquePointer?
        var rc: Int32 = 0
        if let topic = properties.responseTopic {
            rc = mosquitto_property_add_string(&list, Int32(MQTT_PROP_RESPONSE_TOPIC.rawValue), topic)
        }
        if rc == 0, let data = properties.correlationData {
            guard data.count <= Int(UInt16.max) else {
                mosquitto_property_free_all(&list)
                throw MQTTError(.invalidArgument, "correlation data is longer than 65535 bytes")
            }
            rc = data.withUnsafeBytes {
                mosquitto_property_add_binary(
                    &list, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), $0.baseAddress, UInt16(data.count))
            }
        }
        if rc == 0, let type = properties.contentType {
            rc = mosquitto_property_add_string(&list, Int32(MQTT_PROP_CONTENT_TYPE.rawValue), type)
        }
        if rc == 0, let expiry = properties.messageExpiry {
            rc = mosquitto_property_add_int32(&list, Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue), expiry)
        }
        for pair in properties.userProperties where rc == 0 {
            rc = mosquitto_property_add_string_pair(
                &list, Int32(MQTT_PROP_USER_PROPERTY.rawValue), pair.name, pair.value)
        }
        if rc != 0 {
            mosquitto_property_free_all(&list)
            throw MQTTError.fromLibrary(rc, while: "setting MQTT 5 properties")
        }
        return list
    }

    /// Copies the properties we care about out of a list that libmosquitto frees after the callback.
    static func read(_ list: OpaquePointer?) -> MQTTProperties {
        var result = MQTTProperties()
        var cursor = list
        while let property = cursor {
            let id = mosquitto_property_identifier(property)
            switch id {
            case Int32(MQTT_PROP_RESPONSE_TOPIC.rawValue):
                result.responseTopic = readString(property, id)
            case Int32(MQTT_PROP_CONTENT_TYPE.rawValue):
                result.contentType = readString(property, id)
            case Int32(MQTT_PROP_CORRELATION_DATA.rawValue):
                var value: UnsafeMutableRawPointer?
                var length: UInt16 = 0
                if mosquitto_property_read_binary(property, id, &value, &length, false) != nil, let value {
                    result.correlationData = Array(UnsafeRawBufferPointer(start: value, count: Int(length)))
                    free(value)
                }
            case Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue):
                var value: UInt32 = 0
                if mosquitto_property_read_int32(property, id, &value, false) != nil {
                    result.messageExpiry = value
                }
            case Int32(MQTT_PROP_USER_PROPERTY.rawValue):
                var name: UnsafeMutablePointer<CChar>?
                var value: UnsafeMutablePointer<CChar>?
                if mosquitto_property_read_string_pair(property, id, &name, &value, false) != nil {
                    if let name, let value {
                        result.userProperties.append(UserProperty(String(cString: name), String(cString: value)))
                    }
                    free(name)
                    free(value)
                }
            default:
                break
            }
            cursor = mosquitto_property_next(property)
        }
        return result
    }

    /// The subscription identifiers a delivery carries: one per matching subscription.
    static func subscriptionIdentifiers(_ list: OpaquePointer?) -> [UInt32] {
        var result: [UInt32] = []
        var cursor = list
        while let property = cursor {
            let id = mosquitto_property_identifier(property)
            if id == Int32(MQTT_PROP_SUBSCRIPTION_IDENTIFIER.rawValue) {
                var value: UInt32 = 0
                if mosquitto_property_read_varint(property, id, &value, false) != nil { result.append(value) }
            }
            cursor = mosquitto_property_next(property)
        }
        return result
    }

    /// Reads one string property (for example the reason string of a CONNACK).
    static func string(_ list: OpaquePointer?, _ identifier: mqtt5_property) -> String? {
        var cursor = list
        while let property = cursor {
            let id = mosquitto_property_identifier(property)
            if id == Int32(identifier.rawValue) { return readString(property, id) }
            cursor = mosquitto_property_next(property)
        }
        return nil
    }

    private static func readString(_ property: OpaquePointer, _ id: Int32) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard mosquitto_property_read_string(property, id, &value, false) != nil, let value else { return nil }
        defer { free(value) }
        return String(cString: value)
    }
}
