import Foundation
import JSON
import LockCore

// Each command's own fields, read in the order the spec's table lists them.

extension CommandReader {
    func action(_ kind: CommandKind) throws(LockError) -> PublicAction {
        switch kind {
        case .lock: return .lock
        case .unlock: return .unlock
        case .open: return .open
        case .restart: return .restart
        case .refresh: return .refresh
        case .setCode: return try setCode()
        case .clearCode: return .clearCode(slot: try requiredSlot())
        case .enableCode: return .enableCode(slot: try requiredSlot())
        case .disableCode: return .disableCode(slot: try requiredSlot())
        case .revokeFob: return .revokeFob(slot: try requiredSlot())
        case .enrollFob:
            let (name, slot, validUntil) = (try name(), try slot(), try futureDate("valid_until"))
            return .enrollFob(name: name, slot: slot, rules: try accessRules(validUntil: validUntil, forCode: false), validUntil: validUntil)
        case .addPhone:
            let (id, name, validUntil) = (try phoneID(), try name(), try futureDate("valid_until"))
            return .addPhone(id: id, name: name, rules: try accessRules(validUntil: validUntil, forCode: false), validUntil: validUntil)
        case .revokePhone: return .revokePhone(id: try phoneID())
        case .setOverrideCode: return .setOverrideCode(code: try newCode(.overrideCode))
        case .setMode: return .setMode(try mode())
        case .setConfig: return .setConfig(try configPatch())
        case .factoryReset:
            let what = "the lock id, to confirm the reset"
            return .factoryReset(confirm: try required("confirm", what, string("confirm", what)))
        case .ackFault:
            // The duress alert is the lock's to acknowledge, with an unrestricted code (spec 7.1).
            if try string("fault", "a fault code") == "duress" { return .ackDuress }
            return .ackFault(try acknowledgeableFault())
        }
    }

    private func setCode() throws(LockError) -> PublicAction {
        let slot = try requiredSlot()
        let name = try name()
        let code = try newCode(PINPolicy(minimumLength: minCodeLength))
        let validUntil = try futureDate("valid_until")
        let replace = try bool("replace") ?? false
        let rules = try accessRules(validUntil: validUntil, forCode: true)
        return .setCode(slot: slot, name: name, code: code, validUntil: validUntil, replace: replace, rules: rules)
    }

    /// A time that must not have passed: a credential that expires before it is set is a
    /// mistake the user should hear about now.
    private func futureDate(_ key: String) throws(LockError) -> Date? {
        let date = try date(key)
        if let date, date <= now { throw .badField(key, "\(key) is in the past") }
        return date
    }

    /// `type`, `schedule` and `valid_from` (spec 7.1); nil for a plain unrestricted credential.
    private func accessRules(validUntil: Date?, forCode: Bool) throws(LockError) -> AccessRules? {
        let types = CredentialUse.allCases.map(\.rawValue).joined(separator: ", ")
        let typeText = try string("type", "one of \(types)")
        guard let type = typeText.map({ CredentialUse(rawValue: $0) }) ?? .unrestricted else {
            throw .badField("type", "type must be one of \(types)")
        }
        let what = #"a list of windows such as {"days": ["tue", "fri"], "from": "08:00", "to": "12:00"}"#
        let list = try value("schedule", what) { o throws(JSONError) in try o.optionalArray("schedule") } ?? []
        var windows: [WeekWindow] = []
        for element in list {
            guard let w = element.objectValue else { throw .badField("schedule", "schedule must be \(what)") }
            let days = (w["days"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard let from = w["from"]?.stringValue, let to = w["to"]?.stringValue, days.count == (w["days"]?.arrayValue?.count ?? -1),
                w.keys.allSatisfy({ ["days", "from", "to"].contains($0) })
            else { throw .badField("schedule", "schedule must be \(what)") }
            windows.append(try WeekWindow(days: days, from: from, to: to))
        }
        let rules = AccessRules(type: type, schedule: windows, validFrom: try date("valid_from"))
        _ = try rules.validated(validUntil: validUntil, forCode: forCode)
        return rules == AccessRules() ? nil : rules
    }

    private func mode() throws(LockError) -> LockMode {
        let what = "one of " + LockMode.allCases.map(\.rawValue).joined(separator: ", ")
        let text = try required("mode", what, string("mode", what))
        guard let mode = LockMode(rawValue: text) else { throw .badField("mode", "mode must be \(what)") }
        return mode
    }

    private func configPatch() throws(LockError) -> LockConfigPatch {
        let patch = LockConfigPatch(
            autoRelockSeconds: try int("auto_relock_s", in: LockConfig.autoRelockRange),
            wrongCodeLimit: try int("wrong_code_limit", in: LockConfig.wrongCodeLimitRange),
            lockoutSeconds: try int("lockout_s", in: LockConfig.lockoutRange),
            requireCodeForRemote: try bool("require_code_for_remote"), timezone: try timezone())
        guard patch != LockConfigPatch() else {
            // No single field is at fault, so `field` stays empty.
            throw LockError(
                .invalidField,
                "set_config needs at least one of " + CommandKind.configKeys.joined(separator: ", "))
        }
        return patch
    }

    /// An IANA time zone name the time-zone database knows.
    private func timezone() throws(LockError) -> String? {
        let what = "an IANA time zone such as Europe/Berlin"
        guard let zone = try string("timezone", what) else { return nil }
        guard TimeZone(identifier: zone) != nil else { throw .badField("timezone", "timezone must be \(what)") }
        return zone
    }

    private func acknowledgeableFault() throws(LockError) -> FaultCode {
        let what = "a fault code"
        let text = try required("fault", what, string("fault", what))
        guard let fault = FaultCode(rawValue: text) else { throw .badField("fault", "fault must be \(what)") }
        guard fault == .overrideUsed else {
            throw .badField("fault", "only override_used and duress can be acknowledged; other faults clear themselves")
        }
        return fault
    }
}
