/// The post-connect fence: a token the bridge publishes to itself after each connect. Commands
/// that arrive before it returns were waiting in the session queue while the bridge was away;
/// they are held until then and marked `queued`, so they must prove they are fresh.
struct Fence: Sendable {
    private var token = ""
    private(set) var passed = false
    private var held: [CommandMessage] = []
    /// Changing plan requests are held the same way (spec 7.2).
    private var heldRequests: [RequestMessage] = []

    /// A new fence for a new connection; commands are held again until it returns.
    mutating func arm(_ token: String) -> String {
        self.token = token
        passed = false
        return token
    }

    /// The command to handle now, or nil when it is held until the fence returns.
    mutating func admit(_ command: CommandMessage) -> CommandMessage? {
        if passed { return command }
        var queued = command
        queued.queued = true
        held.append(queued)
        return nil
    }

    /// The request to handle now, or nil when it is held until the fence returns.
    mutating func admit(_ request: RequestMessage) -> RequestMessage? {
        if passed { return request }
        heldRequests.append(request)
        return nil
    }

    /// The requests held until the fence returned, in arrival order (once).
    mutating func releasedRequests() -> [RequestMessage] {
        guard passed else { return [] }
        defer { heldRequests = [] }
        return heldRequests
    }

    /// The fence came back: everything held is released, in arrival order.
    mutating func arrived(_ token: String) -> [CommandMessage] {
        guard token == self.token, !passed else { return [] }
        passed = true
        defer { held = [] }
        return held
    }
}
