internal import CMosquitto

/// MQTT topic filters, as libmosquitto matches them.
public enum TopicFilter {
    /// Whether `topic` matches `filter` (with `+` and `#`).
    public static func matches(_ filter: String, _ topic: String) -> Bool {
        var result = false
        return mosquitto_topic_matches_sub(filter, topic, &result) == 0 && result
    }
}
