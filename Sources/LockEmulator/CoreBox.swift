import Locking

/// The emulator core behind one mutex; MQTT consumers and the ticker each take it briefly.
final class CoreBox: Sendable {
    private let mutex: Locked<EmulatorCore>
    init(_ core: consuming EmulatorCore) { mutex = Locked(core) }
    func with<R>(_ body: (inout EmulatorCore) -> R) -> R { mutex.withLock { body(&$0) } }

    /// Runs `body` and queues what it returns before letting go of the lock, so messages reach
    /// the outbox in the order the core made them (events in `seq` order, across tasks).
    func run(into sink: AsyncStream<Outgoing>.Continuation, _ body: (inout EmulatorCore) -> [Outgoing]) {
        mutex.withLock { core in
            for message in body(&core) { sink.yield(message) }
        }
    }
}
