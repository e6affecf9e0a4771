import ArgumentParser
import Foundation
import JSON
import LockAPI
import MQTT

/// `lockbridge plan …`: access plans across many locks (spec 7.2, docs/access-plans.md).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Access plans: one set of codes kept in agreement on many locks.",
        subcommands: [PlanApplyCommand.self, PlanStatusCommand.self, PlanRemoveCommand.self, PlanListCommand.self])
}

struct PlanApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply a plan from a YAML file (readable by its owner only: it holds codes).",
        discussion: """
            Without --wait it returns once the bridge took the plan. With --wait a progress bar shows the locks \
            in sync out of all, and it returns when every lock is in sync or refused: exit 0 when all are in \
            sync, 3 when any failed or needs an auth code, 4 when --wait-timeout ran out with locks still pending \
            (an offline lock gets the plan when it is back). --dry-run shows what would change on each lock. \(ClientExit.help)
            """)

    @OptionGroup var broker: BrokerOptions
    @Argument(help: "The plan's YAML file.") var file: String
    @Flag(help: "Wait until every lock is in sync or refused, showing progress.") var wait = false
    @Flag(help: "Only show what would change on each lock; change nothing.") var dryRun = false
    @Option(help: "With --wait: give up after this many seconds.") var waitTimeout: Double = 300

    func run() async throws {
        try await runClient {
            let apply = try PlanFile.read(file).request(dryRun: dryRun)
            let link = try await broker.connect()
            // Subscribed before applying, so no status of this apply is missed.
            let statuses = wait && !dryRun ? try await link.client.subscribe(link.topics.planStatus(apply.plan.name), options: SubscribeOptions(qos: .atLeastOnce)) : nil
            let answer = try await link.request(.planApply(apply))
            guard let o = answer.objectValue else { throw ClientFailure("the bridge's answer is not an object") }
            if dryRun {
                await link.close()
                return print(PlanView.dryRun(o))
            }
            let first = try PlanStatus(json: o)
            guard let statuses else {
                await link.close()
                return print("plan \(first.name) applied: \(PlanView.summaryLine(first))")
            }
            let progress = PlanProgress()
            progress.show(first)
            var last = first
            let deadline = Date().addingTimeInterval(waitTimeout)
            while !last.settled, Date() < deadline {
                let next = try await firstMatch(in: statuses, within: max(0.1, deadline.timeIntervalSinceNow)) { message in
                    (try? JSON.parseObject(message.payload, limits: BridgeLink.answerLimits)).flatMap { try? PlanStatus(json: $0) }
                }
                guard let next else { break }
                guard next.appliedAt == first.appliedAt else { continue }
                last = next
                progress.show(last)
            }
            progress.finish()
            await link.close()
            print(PlanView.table(last))
            if !last.settled { throw ClientFailure("timed out with \(last.count(.pending)) lock(s) pending", exitCode: ClientExit.unavailable) }
            if last.count(.inSync) < last.locks.count { throw ClientFailure("\(last.locks.count - last.count(.inSync)) lock(s) not in sync", exitCode: ClientExit.refused) }
        }
    }
}

struct PlanStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a plan's standing on each lock, or every plan's summary.",
        discussion: ClientExit.help)

    @OptionGroup var broker: BrokerOptions
    @Argument(help: "The plan; every plan when omitted.") var name: String?
    @Flag(help: "Print the JSON the bridge answered.") var json = false

    func validate() throws {
        if let name, LockID(name) == nil { throw ValidationError("\"\(name)\" is not a plan name") }
    }

    func run() async throws {
        try await runClient {
            let link = try await broker.connect()
            let data = try await link.request(.planStatus(name: name))
            await link.close()
            if json { return print(try data.serialized()) }
            guard let o = data.objectValue else { throw ClientFailure("the bridge's answer is not an object") }
            if name != nil { return print(PlanView.table(try PlanStatus(json: o))) }
            let plans = try (o["plans"]?.arrayValue ?? []).compactMap(\.objectValue).map { try PlanStatus(json: $0) }
            print(plans.isEmpty ? "no access plans" : plans.map { "\($0.name): \(PlanView.summaryLine($0))" }.joined(separator: "\n"))
        }
    }
}

struct PlanRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Clear every slot a plan set, on every lock, then forget the plan.",
        discussion: "Slots the plan does not own are never touched. An offline lock is cleared when it is back. \(ClientExit.help)")

    @OptionGroup var broker: BrokerOptions
    @Argument(help: "The plan.") var name: String

    func validate() throws {
        guard LockID(name) != nil else { throw ValidationError("\"\(name)\" is not a plan name") }
    }

    func run() async throws {
        try await runClient {
            let link = try await broker.connect()
            let change = PlanChange(requestID: "cli-\(UUID().uuidString.lowercased())", issuedAt: Date())
            let data = try await link.request(.planRemove(name: name, change: change))
            await link.close()
            print("plan \(name): removing from \(data.objectValue?["locks"]?.intValue ?? 0) lock(s)")
        }
    }
}

struct PlanListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the plans (never their codes).", discussion: ClientExit.help)

    @OptionGroup var broker: BrokerOptions
    @Flag(help: "Print the JSON the bridge answered.") var json = false

    func run() async throws {
        try await runClient {
            let link = try await broker.connect()
            let data = try await link.request(.planList)
            await link.close()
            if json { return print(try data.serialized()) }
            var table = TextTable("PLAN", "GRANTS", "LOCKS", "ENFORCE", "APPLIED")
            for o in (data.arrayValue ?? []).compactMap(\.objectValue) {
                table.add(
                    o["name"]?.stringValue ?? "?", "\(o["grants"]?.arrayValue?.count ?? 0)", "\(o["locks"]?.intValue ?? 0)",
                    o["enforce"]?.boolValue == true ? "yes" : "no", o["applied_at"]?.stringValue ?? "")
            }
            print(table.rows.isEmpty ? "no access plans" : table.rendered)
        }
    }
}
