import Foundation
import Histogram
import Logging
import MQTT

/// The Swift client's side of `make bench-transport`: the same two measurements as the C program.
struct SwiftTransport {
    let port: Int
    let prefix: String
    let logger = Logger(label: "bench")

    func client(_ label: String) async throws -> MosquittoClient {
        var config = MQTTConfiguration(host: "127.0.0.1", port: port, clientID: "bench-swift-\(label)")
        config.cleanStart = true
        config.sessionExpiry = 0
        config.subscriptionBuffer = 1 << 20
        let client = try MosquittoClient(configuration: config, logger: logger)
        try await client.connect()
        return client
    }

    /// Request → relay → response, one at a time, QoS 1 both ways. Returns (p50, p99) in µs.
    func roundTrip(rounds: Int) async throws -> (Double, Double) {
        let ping = "\(prefix)/swift/ping", pong = "\(prefix)/swift/pong"
        let relay = try await client("relay")
        let requester = try await client("client")
        // The relay answers on the loop thread, as the C relay answers inside its callback.
        try await relay.subscribe(ping, options: SubscribeOptions(qos: .atLeastOnce)) { message in
            (try? relay.sendNow(pong, payload: message.payload, qos: .atLeastOnce))?.forget()
        }
        var replies = try await requester.subscribe(pong, qos: .atLeastOnce).makeAsyncIterator()
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        let clock = ContinuousClock()
        let payload = Array("ping-req".utf8)
        for round in 0..<(rounds + rounds / 10) {
            let start = clock.now
            let receipt = try await requester.send(ping, payload: payload, qos: .atLeastOnce)
            _ = await replies.next()
            let elapsed = clock.now - start
            try await receipt.acknowledged()
            if round >= rounds / 10 { _ = histogram.record(UInt64(elapsed.nanoseconds / 1000)) }
        }
        await relay.disconnect()
        await requester.disconnect()
        return (Double(histogram.valueAtPercentile(50)), Double(histogram.valueAtPercentile(99)))
    }

    /// Publishes `messages` at QoS 1 with up to `window` unacknowledged, until all arrive. Messages/s.
    func pipelined(messages: Int, window: Int = 512) async throws -> Double {
        let topic = "\(prefix)/swift/flood"
        let publisher = try await client("publisher")
        let receiver = try await client("receiver")
        let stream = try await receiver.subscribe(topic, qos: .atLeastOnce)
        let counted = Task {
            var count = 0
            for await _ in stream {
                count += 1
                if count == messages { break }
            }
        }
        let payload = Array("0123456789abcdef".utf8)
        let clock = ContinuousClock()
        let start = clock.now
        // Up to `window` unacknowledged receipts, oldest awaited first.
        var inFlight: [PublishReceipt] = []
        inFlight.reserveCapacity(window)
        var oldest = 0
        for _ in 0..<messages {
            if inFlight.count - oldest >= window {
                try await inFlight[oldest].acknowledged()
                oldest += 1
            }
            inFlight.append(try await publisher.send(topic, payload: payload, qos: .atLeastOnce))
        }
        for receipt in inFlight[oldest...] { try await receipt.acknowledged() }
        await counted.value
        let seconds = Double((clock.now - start).nanoseconds) / 1e9
        await publisher.disconnect()
        await receiver.disconnect()
        return Double(messages) / seconds
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
