import Foundation
import LockAPI

extension BridgeMachine {
    /// Heartbeat and command timeouts, gaps to chase, code ages, timed fault clears, and
    /// `bridge/info` when the set of locks changed.
    mutating func tick(now: Date) -> [BridgeEffect] {
        let rotationDue = now >= nextRotationCheck
        if rotationDue { nextRotationCheck = now.addingTimeInterval(min(60, max(1, configuration.codeRotationDays * 86_400 / 10))) }
        var out: [BridgeEffect] = []
        for id in Array(locks.keys) where acts(for: id) {
            if cluster != nil, !claimed(locks[id]!) {
                // Claimed again when the last claim went unanswered (the lock was away); a lock
                // that acknowledged waits for its shard's data from the store.
                let acknowledged = locks[id]!.claimedEpoch == ownerEpoch(id)
                if !acknowledged, locks[id]!.claim.map({ now >= $0.deadline }) ?? true { out += claim(id, now: now) }
                continue
            }
            var context = LockContext(locks[id]!, now: now, settings: settings, discoveryHeld: !leftovers.complete)
            context.rotationCheckDue = rotationDue
            for feature in Features.all { feature.tick(&context) }
            if let pending = context.record.pending, now >= pending.deadline { timeOut(&context, pending) }
            let probing = (context.record.probe?.requestID, context.record.nextProbe)
            // A probe sent changes nothing public, so it does not republish `state`.
            let ping = probe(&context)
            if !context.effects.isEmpty { context.publishState() }
            if let ping { context.effects.append(.publish(ping)) }
            let clockSent = context.record.clockSentAt
            if let setClock = setClockIfLost(&context) { context.effects.append(.publish(setClock)) }
            // Chasing a gap changes the record even when it publishes nothing (a gap at the tail
            // given up on), so a lock that was behind is always kept.
            let wasBehind = context.record.behindSince != nil
            if wasBehind { chaseGaps(&context) }
            let probeChanged = probing.0 != context.record.probe?.requestID || probing.1 != context.record.nextProbe
                || clockSent != context.record.clockSentAt
            guard !context.effects.isEmpty || wasBehind || context.record.behindSince != nil || probeChanged else { continue }
            locks[id] = context.record
            out += context.effects
        }
        out += planTick(now: now) + sharedReadDue(now: now)
        out += releaseOrphans(now: now)
        if infoDue {
            infoDue = false
            // Several bridges: from the owner of shard 0 only (spec 8).
            if ownsShardZero { out.append(.publish(infoPublication())) }
        }
        return out
    }
}
