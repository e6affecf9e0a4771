import Foundation
import JSON
import LockAPI
import MQTT
import TestSupport

/// After the faults: waits until the bridge has caught up, then compares every lock's own seq
/// (the ground truth) with the audit log and with what the persistent subscriber received.
struct ChaosAudit {
    let stack: ChaosStack
    let client: MosquittoClient
    /// The bridge's answers, and the locks' device snapshots (retained, then live).
    private let responses: MessageCollector
    private let snapshots: MessageCollector

    init(stack: ChaosStack, client: MosquittoClient) async throws {
        self.stack = stack
        self.client = client
        responses = try await MessageCollector(client, "\(stack.base)/bridge/response/#")
        snapshots = try await MessageCollector(client, "\(stack.prefix)/+/state")
    }

    /// Gaps longer than this in a lock's seqs are the emulator skipping ahead after an unclean
    /// stop (by 1,000, docs/device-link.md), not lost events.
    static let designedSkip: Int64 = 500

    /// Waits (at most 90 s) until the audit log holds every lock event and the outbox is empty.
    func settle(log: (String) -> Void) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        var last = ""
        while ContinuousClock.now < deadline {
            if let undelivered = try? await undelivered(), undelivered == 0, let missing = try? await missingFromAudit(), missing == 0 { return }
            let now = "waiting for the bridge to catch up"
            if now != last { log(now) }
            last = now
            try await Task.sleep(for: .seconds(1))  // poll until the deadline
        }
    }

    /// `outbox_undelivered` from `health`.
    func undelivered() async throws -> Int64? {
        let data = try await request("health", [:])
        return data.objectValue?["queues"]?.objectValue?["outbox_undelivered"]?.intValue
    }

    private func missingFromAudit() async throws -> Int {
        var missing = 0
        for lock in stack.locks {
            let audited = try await history(lock).lockSeqs
            missing += try await groundTruth(lock, seen: audited).expected.subtracting(audited).count
        }
        return missing
    }

    /// Waits (at most `limit`) until the subscriber holds every lock event the audit log holds:
    /// the broker owes a persistent QoS 1 session all of them, but a starved test process (under
    /// a sanitizer) may take its time reconnecting or reading.
    func subscriberCatchesUp(_ events: MessageCollector, within limit: Duration, log: (String) -> Void) async throws {
        let end = ContinuousClock.now + limit
        var logged = 0
        repeat {
            let received = Self.lockSeqs(Self.parsed(events.messages))
            var behind = 0
            for lock in stack.locks {
                behind += try await history(lock).lockSeqs.subtracting(received[lock] ?? []).count
            }
            if behind == 0 { return }
            if behind != logged { log("the subscriber is \(behind) audited events behind; waiting") }
            logged = behind
            try await Task.sleep(for: .milliseconds(500))  // poll until caught up or the limit
        } while ContinuousClock.now < end
    }

    private static func parsed(_ events: [MQTTMessage]) -> [(lock: String, event: JSONObject)] {
        events.compactMap { message -> (lock: String, event: JSONObject)? in
            let parts = message.topic.split(separator: "/")
            guard parts.count >= 4, let o = try? JSON.parseObject(message.payload) else { return nil }
            return (String(parts[parts.count - 3]), o)
        }
    }

    /// The seqs of the locks' own events (not the bridge's) among `received`, per lock.
    private static func lockSeqs(_ received: [(lock: String, event: JSONObject)]) -> [String: Set<Int64>] {
        var seqs: [String: Set<Int64>] = [:]
        for (lock, event) in received where event["source"] == nil {
            if let seq = event["seq"]?.intValue { seqs[lock, default: []].insert(seq) }
        }
        return seqs
    }

    func compare(events: [MQTTMessage], requestIDs: [String], into report: inout ChaosReport) async throws {
        let received = Self.parsed(events)
        let receivedSeqs = Self.lockSeqs(received)
        var actuations: [String: Int] = [:]
        for lock in stack.locks {
            let audit = try await history(lock)
            let atSubscriber = receivedSeqs[lock] ?? []
            let truth = try await groundTruth(lock, seen: audit.lockSeqs.union(atSubscriber))
            report.lockEvents += truth.expected.count
            report.skippedByDesign += truth.skipped
            let notAudited = truth.expected.subtracting(audit.lockSeqs)
            let notReceived = truth.expected.subtracting(atSubscriber)
            report.missingFromAudit += notAudited.count
            report.missingAtSubscriber += notReceived.count
            report.missingExamples += notAudited.sorted().prefix(2).map { "\(lock)#\($0) (audit)" }
            report.missingExamples += notReceived.sorted().prefix(2).map { seq in
                let audited = audit.events.first { $0["source"] == nil && $0["seq"]?.intValue == seq }
                return "\(lock)#\(seq) (subscriber; audited \(audited.map { "as \($0["event_type"]?.stringValue ?? "?")\($0["delayed"]?.boolValue == true ? ", delayed" : "")" } ?? "no"))"
            }
            for event in audit.events {
                if let id = event["request_id"]?.stringValue, ["lock", "unlock"].contains(event["event_type"]?.stringValue ?? "") {
                    actuations[id, default: 0] += 1
                }
            }
        }
        // Every copy of one (lock, source, epoch, seq) must be the same event (`delayed` aside).
        var copies: [String: [String]] = [:]
        for (lock, event) in received {
            guard let seq = event["seq"]?.intValue else { continue }
            var body = event
            body["delayed"] = nil
            let key = "\(lock)/\(event["source"]?.stringValue ?? "lock")/\(event["epoch"]?.intValue ?? 0)/\(seq)"
            copies[key, default: []].append((try? body.serialized()) ?? "")
        }
        for (_, list) in copies where list.count > 1 {
            report.markedDuplicates += list.count - 1
            if Set(list).count > 1 { report.conflictingDuplicates += 1 }
        }
        report.actuatedTwice = requestIDs.filter { (actuations[$0] ?? 0) > 1 }.count
    }

    /// The seqs that exist in the lock's current epoch: 1 up to the seq of its latest snapshot,
    /// without the runs the emulator skipped (gaps over 500 in everything seen).
    private func groundTruth(_ lock: String, seen: Set<Int64>) async throws -> (expected: Set<Int64>, skipped: Int) {
        let snapshot = try await latestSnapshot(lock)
        let last = max(snapshot.seq, seen.max() ?? 0)
        guard last > 0 else { return ([], 0) }
        var expected = Set(1...last)
        var skipped = 0
        let sorted = ([0] + seen.sorted() + [last + 1])
        for (low, high) in zip(sorted, sorted.dropFirst()) where high - low - 1 > Self.designedSkip {
            expected.subtract((low + 1)..<high)
            skipped += Int(high - low - 1)
        }
        return (expected, skipped)
    }

    /// The lock's latest device snapshot: its epoch and last seq.
    private func latestSnapshot(_ lock: String) async throws -> (epoch: Int64, seq: Int64) {
        let topic = "\(stack.prefix)/\(lock)/state"
        try await waitUntil(10, "the snapshot of \(lock)") { snapshots.messages.contains { $0.topic == topic } }
        let o = try JSON.parseObject(snapshots.messages.last { $0.topic == topic }!.payload)
        return (o["epoch"]?.intValue ?? 0, o["seq"]?.intValue ?? 0)
    }

    /// The lock's audit log: its events, and the seqs of the lock's own (not the bridge's).
    private func history(_ lock: String) async throws -> (events: [JSONObject], lockSeqs: Set<Int64>) {
        let data = try await request("history", ["lock": .string(lock), "limit": 10_000])
        let events = (data.arrayValue ?? []).compactMap(\.objectValue)
        return (events, Set(events.filter { $0["source"] == nil }.compactMap { $0["seq"]?.intValue }))
    }

    /// A bridge request and its answer's `data`, asked up to three times: right after the
    /// faults the driver's own connection may still be coming back (seen once in a 10-minute run).
    private func request(_ name: String, _ body: JSONObject) async throws -> JSONValue {
        for _ in 1..<3 {
            if let data = try? await ask(name, body) { return data }
        }
        return try await ask(name, body)
    }

    private func ask(_ name: String, _ body: JSONObject) async throws -> JSONValue {
        let transaction = UUID().uuidString
        var o = body
        o["transaction"] = .string(transaction)
        try await client.publish("\(stack.base)/bridge/request/\(name)", text: try o.serialized())
        let answer = try await responses.next(within: 10, "the \(name) answer") { message in
            message.topic.hasSuffix("/\(name)") && (try? JSON.parseObject(message.payload))?["transaction"]?.stringValue == transaction
        }
        let response = try JSON.parseObject(answer.payload)
        guard response["status"]?.stringValue == "ok", let data = response["data"] else {
            throw ChaosFailure("the \(name) request was refused: \(String(decoding: answer.payload, as: UTF8.self))")
        }
        return data
    }

    /// Where one of `codes` appears as its own token (not inside a longer run of digits), in a
    /// payload outside `set` and `sim` (the only places a code may travel) or in a log line.
    static func leaks(of codes: [String], messages: [MQTTMessage], logs: String, into scanned: inout Int) -> [String] {
        func contains(_ text: Substring, _ code: String) -> Bool {
            var rest = text[...]
            while let range = rest.range(of: code) {
                let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
                let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
                if !(before?.isNumber ?? false) && !(after?.isNumber ?? false) { return true }
                rest = text[range.upperBound...]
            }
            return false
        }
        var found: [String] = []
        for message in messages where !message.topic.hasSuffix("/set") && !message.topic.hasSuffix("/sim") {
            scanned += 1
            let text = String(decoding: message.payload, as: UTF8.self)
            if codes.contains(where: { contains(text[...], $0) }) { found.append(message.topic) }
        }
        // Named by number only: the line itself would carry the code into this report.
        for (number, line) in logs.split(separator: "\n").enumerated() {
            scanned += 1
            if codes.contains(where: { contains(line, $0) }) { found.append("log line \(number + 1)") }
        }
        return found
    }
}
