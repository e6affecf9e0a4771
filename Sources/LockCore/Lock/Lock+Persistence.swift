extension Lock {
    /// Starts event numbering in `epoch` (a new lock gets a fresh epoch, so that one whose state
    /// was lost can never be mistaken for its earlier self).
    public mutating func startEpoch(_ epoch: Int) {
        self.epoch = epoch
        seq = 0
    }

    /// Moves the sequence counter ahead, so numbers that may have been used just before an
    /// unclean stop are never used again.
    public mutating func skipSequence(by count: UInt64) {
        seq += count
    }
}
