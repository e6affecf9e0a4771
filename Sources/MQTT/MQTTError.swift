internal import CMosquitto

/// An MQTT failure with a stable code and a message a person can act on.
public struct MQTTError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case invalidURL = "invalid_url"
        case invalidArgument = "invalid_argument"
        /// Nothing accepts connections at the address (the broker is down or the port is wrong).
        case brokerUnavailable = "broker_unavailable"
        /// The broker refused the credentials or the client.
        case notAuthorized = "not_authorized"
        /// The broker refused the connection for another reason.
        case connectionRefused = "connection_refused"
        case tls
        case timeout
        case notConnected = "not_connected"
        /// The broker answered a publish with a negative MQTT 5 reason code (for example an ACL denial).
        case publishRejected = "publish_rejected"
        case subscribeRejected = "subscribe_rejected"
        /// The client was disconnected on purpose while the operation was pending.
        case disconnected
        case internalError = "internal_error"
    }

    public var code: Code
    public var message: String
    /// The MQTT 5 reason code, when the broker gave one.
    public var reasonCode: Int?

    public init(_ code: Code, _ message: String, reasonCode: Int? = nil) {
        self.code = code
        self.message = message
        self.reasonCode = reasonCode
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

// The one place where libmosquitto's numbers become MQTTError values.
extension MQTTError {
    /// Maps a libmosquitto return value (MOSQ_ERR_*) to an error.
    static func fromLibrary(_ rc: Int32, while doing: String) -> MQTTError {
        let text = String(cString: mosquitto_strerror(rc))
        switch rc {
        case Int32(MOSQ_ERR_NO_CONN.rawValue), Int32(MOSQ_ERR_CONN_LOST.rawValue):
            return MQTTError(.notConnected, "\(doing): not connected to the broker (\(text))")
        case Int32(MOSQ_ERR_CONN_REFUSED.rawValue):
            return MQTTError(.connectionRefused, "\(doing): the broker refused the connection (\(text))")
        case Int32(MOSQ_ERR_TLS.rawValue):
            return MQTTError(.tls, "\(doing): TLS failed (\(text))")
        case Int32(MOSQ_ERR_AUTH.rawValue):
            return MQTTError(.notAuthorized, "\(doing): authentication failed (\(text))")
        case Int32(MOSQ_ERR_ERRNO.rawValue), Int32(MOSQ_ERR_EAI.rawValue), Int32(MOSQ_ERR_UNKNOWN.rawValue):
            return MQTTError(.brokerUnavailable, "\(doing): cannot reach the broker (\(text))")
        case Int32(MOSQ_ERR_INVAL.rawValue), Int32(MOSQ_ERR_PAYLOAD_SIZE.rawValue),
            Int32(MOSQ_ERR_MALFORMED_UTF8.rawValue), Int32(MOSQ_ERR_QOS_NOT_SUPPORTED.rawValue),
            Int32(MOSQ_ERR_OVERSIZE_PACKET.rawValue), Int32(MOSQ_ERR_DUPLICATE_PROPERTY.rawValue):
            return MQTTError(.invalidArgument, "\(doing): \(text)")
        default:
            return MQTTError(.internalError, "\(doing): \(text) (libmosquitto error \(rc))")
        }
    }

    /// Maps an MQTT 5 reason code from CONNACK to an error.
    static func fromConnack(_ reason: Int32, reasonString: String?) -> MQTTError {
        let text = reasonString ?? String(cString: mosquitto_reason_string(reason))
        switch reason {
        case Int32(MQTT_RC_BAD_USERNAME_OR_PASSWORD.rawValue), Int32(MQTT_RC_NOT_AUTHORIZED.rawValue),
            Int32(CONNACK_REFUSED_BAD_USERNAME_PASSWORD.rawValue), Int32(CONNACK_REFUSED_NOT_AUTHORIZED.rawValue):
            return MQTTError(.notAuthorized, "the broker refused the credentials: \(text)", reasonCode: Int(reason))
        default:
            return MQTTError(.connectionRefused, "the broker refused the connection: \(text)", reasonCode: Int(reason))
        }
    }

    /// Maps a negative MQTT 5 reason code on PUBACK or SUBACK to an error.
    static func rejected(_ code: Code, _ reason: Int32, topic: String) -> MQTTError {
        let text = String(cString: mosquitto_reason_string(reason))
        return MQTTError(code, "the broker rejected \(topic): \(text)", reasonCode: Int(reason))
    }
}
