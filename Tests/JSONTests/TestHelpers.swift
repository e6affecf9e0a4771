@testable import JSON

/// The error `JSON.parse` throws for `input`, or `nil` if it parses.
func parseError(_ input: String, limits: JSONLimits = .default) -> JSONError? {
    parseError(Array(input.utf8), limits: limits)
}

/// The error `JSON.parse` throws for `bytes`, or `nil` if it parses.
func parseError(_ bytes: [UInt8], limits: JSONLimits = .default) -> JSONError? {
    do {
        _ = try JSON.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// The error `body` throws, or `nil`.
func thrown<T>(_ body: () throws(JSONError) -> T) -> JSONError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
