/// Cheap reads of JSON payloads on the driver's loop thread: the bench must not cost more than
/// what it measures, so it scans bytes instead of parsing.
enum Payload {
    /// Whether `needle` occurs in `bytes`.
    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        firstIndex(of: needle, in: bytes) != nil
    }

    /// The integer after `"name":` (spaces allowed), or nil.
    static func int(_ name: String, in bytes: [UInt8]) -> Int? {
        guard var i = firstIndex(of: Array("\"\(name)\"".utf8), in: bytes) else { return nil }
        i += name.utf8.count + 2
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: ":") { i += 1 }
        return digits(in: bytes, from: i)
    }

    /// The integer of the digits of `bytes` from `i` on, or nil when there are none.
    static func digits(in bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        var value = 0
        while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) {
            value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
            i += 1
        }
        return i > start ? value : nil
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        let first = needle[0]
        var i = 0
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first {
                var j = 1
                while j < needle.count, bytes[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
