import BridgeCore

extension BridgeService {
    /// Timers: heartbeat and command timeouts every tick; saving and pruning now and then.
    func runTicker() async {
        let interval = max(0.05, configuration.tickInterval)
        var count = 0
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(Int(interval * 1000))) } catch { break }
            inputs.add(.tick)
            count += 1
            if count % max(1, Int(2 / interval)) == 0 { inputs.add(.save(all: false)) }
            if count % max(1, Int(600 / interval)) == 0 { inputs.add(.prune) }
        }
    }
}
