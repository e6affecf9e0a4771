/// Log metadata keys, in one place (swift-log's practice: stable keys a log pipeline can index).
public enum LogKey {
    public static let lock = "lock.id"
    public static let topic = "mqtt.topic"
    public static let requestID = "request.id"
    public static let error = "error"
    public static let count = "count"
}
