/// What a test server (mosquitto, PostgreSQL) wrote to its log file, which each launch appends to.
enum ServerLog {
    /// Whether `log` has `text` past its first `offset` bytes: what this launch wrote. A server
    /// is the fixture's own only once it says it is ready; the port it was given may accept
    /// connections for another server that took it first.
    static func says(_ log: String, _ text: String, after offset: Int) -> Bool {
        String(decoding: log.utf8.dropFirst(offset), as: UTF8.self).contains(text)
    }
}
