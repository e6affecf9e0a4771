// `make bench-transport`: the Swift MQTT client against plain C libmosquitto, same broker, same run.
import Foundation
import TestSupport

let rounds = Int(ProcessInfo.processInfo.environment["BENCH_ROUNDS"] ?? "") ?? 2000
let messages = Int(ProcessInfo.processInfo.environment["BENCH_MESSAGES"] ?? "") ?? 50_000
let runs = Int(ProcessInfo.processInfo.environment["BENCH_RUNS"] ?? "") ?? 3

struct Figures {
    var p50: [Double] = []
    var p99: [Double] = []
    var throughput: [Double] = []
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let broker = try await Broker.start()
print("transport benchmark: mosquitto on 127.0.0.1:\(broker.port), \(runs) alternating runs of C then Swift")
print("  round trip: \(rounds) sequential request/response pairs through a relay, QoS 1 both ways")
print("  pipelined:  \(messages) QoS 1 messages publisher -> broker -> subscriber\n")

var c = Figures()
var swift = Figures()
for run in 1...runs {
    let prefix = TestNames.baseTopic("bench\(run)")
    let baseline = try ChildProcess("transport-bench-c", ["\(broker.port)", prefix, "\(rounds)", "\(messages)"])
    guard try await baseline.waitForExit(within: 300) == 0,
        let line = baseline.text.split(separator: "\n").last,
        let figures = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double]
    else {
        print("the C baseline failed: \(baseline.text)")
        exit(1)
    }
    c.p50.append(figures["rtt_p50_us"]!)
    c.p99.append(figures["rtt_p99_us"]!)
    c.throughput.append(figures["throughput"]!)

    let transport = SwiftTransport(port: broker.port, prefix: prefix)
    let (p50, p99) = try await transport.roundTrip(rounds: rounds)
    swift.p50.append(p50)
    swift.p99.append(p99)
    swift.throughput.append(try await transport.pipelined(messages: messages))
    print("run \(run): C p50 \(c.p50.last!) µs, \(Int(c.throughput.last!)) msg/s | Swift p50 \(p50) µs, \(Int(swift.throughput.last!)) msg/s")
}
try await broker.stop()

func row(_ name: String, _ cValue: Double, _ swiftValue: Double, _ target: String, _ ok: Bool) -> String {
    let ratio = swiftValue / cValue
    return name.padding(toLength: 28, withPad: " ", startingAt: 0)
        + String(format: "%12.1f %12.1f %8.2f   %@ %@", cValue, swiftValue, ratio, target, ok ? "met" : "MISSED")
}
print("\nmedians                           C libmosq     Swift MQTT    ratio   target")
let rttRatio = median(swift.p50) / median(c.p50)
let tputRatio = median(swift.throughput) / median(c.throughput)
print(row("round trip p50 (µs)", median(c.p50), median(swift.p50), "<= 1.20", rttRatio <= 1.2))
print(row("round trip p99 (µs)", median(c.p99), median(swift.p99), "(info)", true))
print(row("pipelined QoS 1 (msg/s)", median(c.throughput), median(swift.throughput), ">= 0.70", tputRatio >= 0.7))
