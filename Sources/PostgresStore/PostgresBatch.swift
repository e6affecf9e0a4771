import AuditLog
import Foundation
import Logging
import PostgresNIO

/// One ``AuditBatch`` in one transaction, statement for statement as the SQLite store writes it.
enum PostgresBatch {
    static func write(_ batch: AuditBatch, _ c: PostgresConnection, _ logger: Logger) async throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(batch.events.count)
        for e in batch.events {
            let rows = try await c.query("""
                INSERT INTO audit (lock, category, topic, payload, at, epoch, seq) VALUES
                (\(e.lock), \(e.category), \(e.topic), \(Data(e.payload)), \(e.at.timeIntervalSince1970), \(e.epoch), \(e.seq)) RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { ids.append(id) }
            if let epoch = e.epoch, let seq = e.seq {
                try await c.query("""
                    INSERT INTO lock_sequence (lock, epoch, seq) VALUES (\(e.lock), \(epoch), \(seq))
                    ON CONFLICT (lock) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq
                    """, logger: logger)
            }
            if let seq = e.bridgeSeq {
                try await c.query("""
                    INSERT INTO bridge_sequence (lock, seq) VALUES (\(e.lock), \(seq))
                    ON CONFLICT (lock) DO UPDATE SET seq = greatest(bridge_sequence.seq, excluded.seq)
                    """, logger: logger)
            }
        }
        for r in batch.results {
            // A provisional result never replaces anything; a final one does.
            if r.final {
                try await c.query("""
                    INSERT INTO request (lock, request_id, result, at) VALUES (\(r.lock), \(r.requestID), \(Data(r.result)), \(r.at.timeIntervalSince1970))
                    ON CONFLICT (lock, request_id) DO UPDATE SET result = excluded.result, at = excluded.at
                    """, logger: logger)
            } else {
                try await c.query("""
                    INSERT INTO request (lock, request_id, result, at) VALUES (\(r.lock), \(r.requestID), \(Data(r.result)), \(r.at.timeIntervalSince1970))
                    ON CONFLICT (lock, request_id) DO NOTHING
                    """, logger: logger)
            }
        }
        for (lock, state) in batch.states {
            try await c.query("""
                INSERT INTO lock_state (lock, state) VALUES (\(lock), \(Data(state))) ON CONFLICT (lock) DO UPDATE SET state = excluded.state
                """, logger: logger)
        }
        for lock in batch.readmitted { try await c.query("DELETE FROM removed_lock WHERE lock = \(lock)", logger: logger) }
        for (lock, at) in batch.removed {
            try await c.query("DELETE FROM lock_state WHERE lock = \(lock)", logger: logger)
            try await c.query("DELETE FROM lock_sequence WHERE lock = \(lock)", logger: logger)
            try await c.query("""
                INSERT INTO removed_lock (lock, at) VALUES (\(lock), \(at.timeIntervalSince1970)) ON CONFLICT (lock) DO UPDATE SET at = excluded.at
                """, logger: logger)
        }
        if !batch.delivered.isEmpty {
            try await c.query("UPDATE audit SET delivered = true WHERE id = ANY(\(batch.delivered)) AND NOT delivered", logger: logger)
        }
        try await writePlans(batch, c, logger)
        return ids
    }

    private static func writePlans(_ batch: AuditBatch, _ c: PostgresConnection, _ logger: Logger) async throws {
        for plan in batch.planDefinitions {
            try await c.query("""
                INSERT INTO plan (name, sealed, applied_at) VALUES (\(plan.name), \(Data(plan.sealed)), \(plan.appliedAt.timeIntervalSince1970))
                ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, applied_at = excluded.applied_at
                """, logger: logger)
        }
        for row in batch.planLocks {
            try await c.query("""
                INSERT INTO plan_lock (plan, lock, state) VALUES (\(row.plan), \(row.lock), \(Data(row.state)))
                ON CONFLICT (plan, lock) DO UPDATE SET state = excluded.state
                """, logger: logger)
        }
        for name in batch.forgottenPlans {
            try await c.query("DELETE FROM plan WHERE name = \(name)", logger: logger)
            try await c.query("DELETE FROM plan_lock WHERE plan = \(name)", logger: logger)
        }
        for r in batch.planRequests {
            try await c.query("""
                INSERT INTO plan_request (request_id, response, at) VALUES (\(r.id), \(Data(r.response)), \(r.at.timeIntervalSince1970))
                ON CONFLICT (request_id) DO NOTHING
                """, logger: logger)
        }
    }
}
