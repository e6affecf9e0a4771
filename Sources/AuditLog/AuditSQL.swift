/// The statements on hot paths, kept in one place so a test can check each one's query plan.
enum AuditSQL {
    static let append = """
        INSERT INTO audit (lock, category, topic, payload, at, epoch, seq, delivered)
        VALUES (?, ?, ?, ?, ?, ?, ?, 0)
        """
    /// `delivered = 0` in the condition keeps a repeat from rewriting the row.
    static let markDelivered = "UPDATE audit SET delivered = 1 WHERE id = ? AND delivered = 0"
    static let undelivered = """
        SELECT \(AuditRecord.columns) FROM audit WHERE delivered = 0 ORDER BY id LIMIT ?
        """
    static let history = """
        SELECT \(AuditRecord.columns) FROM audit
        WHERE lock = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?
        """
    static let remember = """
        INSERT INTO request (lock, request_id, result, at) VALUES (?, ?, ?, ?)
        ON CONFLICT (lock, request_id) DO NOTHING
        """
    static let rememberFinal = """
        INSERT INTO request (lock, request_id, result, at) VALUES (?, ?, ?, ?)
        ON CONFLICT (lock, request_id) DO UPDATE SET result = excluded.result, at = excluded.at
        """
    static let result = "SELECT result FROM request WHERE lock = ? AND request_id = ?"
    static let setBridgeSequence = """
        INSERT INTO bridge_sequence (lock, seq) VALUES (?, ?)
        ON CONFLICT (lock) DO UPDATE SET seq = max(seq, excluded.seq)
        """
    static let lastSequence = "SELECT epoch, seq FROM lock_sequence WHERE lock = ?"
    static let setLastSequence = """
        INSERT INTO lock_sequence (lock, epoch, seq) VALUES (?, ?, ?)
        ON CONFLICT (lock) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq
        """
    static let saveLockState = """
        INSERT INTO lock_state (lock, state) VALUES (?, ?)
        ON CONFLICT (lock) DO UPDATE SET state = excluded.state
        """
    static let pruneRecords = """
        DELETE FROM audit WHERE id IN (
            SELECT id FROM audit WHERE delivered = 1 AND at < ? LIMIT ?)
        """
    static let pruneRequests = """
        DELETE FROM request WHERE (lock, request_id) IN (
            SELECT lock, request_id FROM request WHERE at < ? LIMIT ?)
        """

    static let prunePlanRequests = """
        DELETE FROM plan_request WHERE request_id IN (
            SELECT request_id FROM plan_request WHERE at < ? LIMIT ?)
        """

    /// Every statement above, for the query-plan test.
    static let all = [
        append, markDelivered, undelivered, history, remember, rememberFinal, result, lastSequence,
        setLastSequence, saveLockState, pruneRecords, pruneRequests, prunePlanRequests,
    ]
}
