public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 timestamps as the spec writes them: UTC with milliseconds, `2026-11-25T10:00:00.123Z`.
public enum RFC3339 {
    /// Formats `date` in UTC with milliseconds.
    public static func format(_ date: Date) -> String {
        // A microsecond's nudge: a time parsed from milliseconds is often a hair below them in binary.
        let millis = (date.timeIntervalSince1970 * 1000 + 0.001).rounded(.down)
        var seconds = time_t(Int((millis / 1000).rounded(.down)))
        let ms = Int(millis - Double(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms), 3))Z"
    }

    /// Parses any RFC 3339 timestamp (`Z` or a `±hh:mm` offset, optional fraction); nil if malformed.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = number(0, 4), b[4] == 45, let month = number(5, 2), b[7] == 45, let day = number(8, 2),
            b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = number(11, 2), b[13] == 58,
            let minute = number(14, 2), b[16] == 58, let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        // Milliseconds, the precision `format` writes: further digits are read and dropped, so
        // a time read back from what it wrote is the same time (found by the device fuzz target).
        var millis = 0
        if index < b.count, b[index] == 46 {
            index += 1
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                if index - start < 3 { millis = millis * 10 + Int(b[index] - 48) }
                index += 1
            }
            guard index > start else { return nil }
            for _ in min(index - start, 3)..<3 { millis *= 10 }
        }
        guard index < b.count else { return nil }
        var offset = 0
        if b[index] == 90 || b[index] == 122 {
            index += 1
        } else if b[index] == 43 || b[index] == 45 {
            guard let hours = number(index + 1, 2), b.count > index + 3, b[index + 3] == 58,
                let minutes = number(index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (b[index] == 43 ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: (Double(epoch - offset) * 1000 + Double(millis)) / 1000)
    }
}
