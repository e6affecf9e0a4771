import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Reading access plans and plan requests (spec 7.2): what is refused, and that every message
/// names the grant or group at fault, never a code.
@Suite struct AccessPlanTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func read(_ json: String) -> Result<AccessPlan, BridgeRequestError> {
        do throws(BridgeRequestError) {
            return .success(try AccessPlan.read(try! JSON.parseObject(Array(json.utf8)), now: now, minCodeLength: 6))
        } catch {
            return .failure(error)
        }
    }

    static func message(_ json: String) -> String? {
        if case .failure(let error) = read(json) { return "\(error.code): \(error.message)" }
        return nil
    }

    @Test func theCleanerExampleReadsWithGroupsExpanded() throws {
        let plan = try Self.read("""
            {"name": "cleaning", "enforce": true, "groups": {"ground-floor": ["front-door", "back-door", "garage"]},
             "grants": [
               {"name": "Cleaner", "code": "305817", "locks": ["ground-floor", "shed"], "type": "scheduled",
                "schedule": [{"days": ["tue", "fri"], "from": "08:00", "to": "12:00"}]},
               {"name": "Dog walker", "code": "640271", "locks": ["front-door"], "valid_until": "2027-03-01T00:00:00Z"}]}
            """).get()
        #expect(plan.enforce)
        #expect(plan.locks(of: plan.grants[0]).map(\.rawValue) == ["back-door", "front-door", "garage", "shed"])
        #expect(plan.grantsByLock()[LockID("front-door")!]?.map(\.name) == ["Cleaner", "Dog walker"])
        #expect(plan.grants[0].rules?.type == .scheduled && plan.grants[0].rules?.schedule.first?.from == 480)
        // Written and read again, with its codes, it is the same plan; without them it has none.
        let again = try Self.read(try JSONValue.object(plan.object(withCodes: true)).serialized()).get()
        #expect(again == plan)
        #expect(!(try JSONValue.object(plan.object(withCodes: false)).serialized()).contains("305817"))
    }

    @Test(arguments: [
        (#"{"name": "Bad Name", "grants": [{"name": "G", "code": "305817", "locks": ["a"]}]}"#, "plan's name"),
        (#"{"name": "p", "grants": []}"#, "at least one grant"),
        (#"{"name": "p", "colour": 1, "grants": [{"name": "G", "code": "305817", "locks": ["a"]}]}"#, "unknown field \"colour\""),
        (#"{"name": "p", "grants": [{"name": "G", "code": "305817", "locks": ["a"]}, {"name": "G", "code": "640271", "locks": ["b"]}]}"#, "unique"),
        (#"{"name": "p", "grants": [{"name": "G", "code": "305817", "locks": ["Not A Lock"]}]}"#, "lock id or a group"),
        (#"{"name": "p", "groups": {"a": ["a", "b"]}, "grants": [{"name": "G", "code": "305817", "locks": ["a"]}]}"#, "share a lock's name"),
        (#"{"name": "p", "grants": [{"name": "Cleaner", "code": "123456", "locks": ["a"]}]}"#, "weak_code: grant \"Cleaner\""),
        (#"{"name": "p", "grants": [{"name": "Cleaner", "code": "305817", "locks": ["a"], "type": "scheduled"}]}"#, "grant \"Cleaner\""),
        (#"{"name": "p", "grants": [{"name": "Cleaner", "code": "305817", "locks": ["a"], "valid_until": "2020-01-01T00:00:00Z"}]}"#, "in the past"),
    ])
    func refusals(_ json: String, _ expected: String) {
        let message = Self.message(json)
        #expect(message?.contains(expected) == true, "\(String(describing: message))")
        #expect(message?.contains("123456") != true && message?.contains("305817") != true)
    }

    @Test func changingPlanRequestsNeedAFreshIssuedAt() {
        let plan = #"{"name": "p", "grants": [{"name": "G", "code": "305817", "locks": ["a"]}]}"#
        func parse(_ extra: String) -> Result<BridgeRequest, BridgeRequestError> {
            BridgeRequest.parse(name: "plan/apply", payload: Array(#"{"plan": \#(plan)\#(extra)}"#.utf8), now: Self.now, maxAge: 30).request
        }
        #expect((try? parse("").get()) == nil)
        let old = RFC3339.format(Self.now.addingTimeInterval(-31))
        if case .failure(let error) = parse(#", "issued_at": "\#(old)""#) { #expect(error.code == "expired") } else { Issue.record("accepted") }
        let fresh = RFC3339.format(Self.now)
        guard case .success(.planApply(let apply)) = parse(#", "issued_at": "\#(fresh)", "dry_run": true, "auth_codes": {"a": "480913"}"#) else {
            Issue.record("refused")
            return
        }
        #expect(apply.dryRun && apply.authCodes[LockID("a")!] == SecretCode("480913"))
        // The client writes what the bridge reads.
        let written = BridgeRequest.planApply(apply).payload(transaction: "t")
        #expect(BridgeRequest.parse(name: "plan/apply", payload: written, now: Self.now).request == .success(.planApply(apply)))
    }

    @Test func planRequestTopicsHaveTwoLevels() {
        let topics = PublicTopics(base: "home/lockbridge")
        #expect(topics.requestName("home/lockbridge/bridge/request/plan/apply") == "plan/apply")
        #expect(topics.requestName("home/lockbridge/bridge/request/health") == "health")
        #expect(topics.requestName("home/lockbridge/bridge/request/other/apply") == nil)
        #expect(topics.requestName("home/lockbridge/bridge/request/plan/") == nil)
        #expect(topics.requestName("home/lockbridge/bridge/request/plan/apply/x") == nil)
    }
}
