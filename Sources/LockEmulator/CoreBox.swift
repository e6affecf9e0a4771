import LockAPI
import Locking

/// The emulator core behind one mutex; MQTT consumers and the ticker each take it briefly.
final class CoreBox: Sendable {
    private let mutex: Locked<EmulatorCore>
    /// Saves locks at once; a used-up one-time code must be on disk before the door opens for it.
    private let persist: @Sendable ([(LockID, EmulatedLock)]) -> Void

    init(_ core: consuming EmulatorCore, persist: @escaping @Sendable ([(LockID, EmulatedLock)]) -> Void = { _ in }) {
        mutex = Locked(core)
        self.persist = persist
    }
    func with<R>(_ body: (inout EmulatorCore) -> R) -> R { mutex.withLock { body(&$0) } }

    /// Runs `body` and queues what it returns before letting go of the lock, so messages reach
    /// the outbox in the order the core made them (events in `seq` order, across tasks).
    func run(into sink: AsyncStream<Outgoing>.Continuation, _ body: (inout EmulatorCore) -> [Outgoing]) {
        mutex.withLock { core in
            let messages = body(&core)
            let urgent = core.takeUrgent()
            if !urgent.isEmpty { persist(urgent) }
            for message in messages { sink.yield(message) }
        }
    }
}
