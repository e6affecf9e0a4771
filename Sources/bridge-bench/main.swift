// `make bench`: the bridge (`lockbridge run`) against a minimal C relay, on one private broker
// with one `lock-emulator --count N`, same driver, same run. See docs/benchmarks.md.
import Foundation

Cleanup.installSignalHandlers()
let settings = Settings.fromEnvironment()
if CommandLine.arguments.dropFirst().first == "cluster" {
    do {
        let lines = try await measureCluster(count: settings.counts.first ?? 1_000, settings: settings)
        say("")
        for line in lines { say(line) }
        exit(0)
    } catch {
        say("bridge-bench cluster failed: \(error)")
        Cleanup.killAll()
        exit(1)
    }
}
say("""
    bridge benchmark: \(settings.runs) runs of every measurement per subject and lock count; the table shows medians.
    Per lock count: one private mosquitto, one release lock-emulator --count N (heartbeat 30 s, sim on,
    64 hash iterations). The relay's runs come first, then the bridge's, never both at once.
      events/s   bench -> <prefix>/<lock>/sim (key unlock/lock, QoS 1, \(settings.window) in flight, \
    \(settings.events) actions over \(settings.eventLocks) locks)
                 -> emulator -> <prefix>/<lock>/event -> SUBJECT -> <base>/<lock>/event/access -> bench,
                 timed from the first sim publish until every event (counted by lock + seq) has arrived.
                 The bridge also checks order, writes the audit log and publishes state; the relay
                 only forwards the payload to another topic.
      command    \(settings.commands) sequential {"command":"refresh"} on random locks, publish -> result (µs):
                 bench -> broker -> SUBJECT -> broker -> emulator (HMAC check, ack) -> broker -> SUBJECT
                 -> broker -> bench. The bridge also applies the safety rules and remembers the request
                 id; the relay signs the device command and publishes the lock's ack as the result.

    """)

var table = Table()
do {
    for count in settings.counts {
        table = try await measure(count: count, settings: settings, adding: table)
    }
} catch {
    say("bridge-bench failed: \(error)")
    Cleanup.killAll()
    exit(1)
}
say("\nmedians of \(settings.runs) runs (relay = C libmosquitto relay, same broker, same emulator, same driver)")
for line in table.lines { say(line) }
say(table.missed == 0 ? "\nevery target met" : "\n\(table.missed) target(s) MISSED")
