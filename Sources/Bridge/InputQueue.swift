import BridgeCore
import Dispatch
import Locking
import Synchronization

/// The bridge's one ordered input queue, bounded. The broker's loop thread adds to it; the
/// executor takes everything waiting at once. When it is full the loop thread waits, so it stops
/// reading from the socket and a burst waits in the broker, not in the bridge's heap.
///
/// The wait is bounded too: after `maxWait` the input is taken anyway (and counted), so the
/// loop thread can never be stuck behind an executor that waits for the same loop thread.
final class InputQueue: Sendable {
    struct Statistics: Sendable {
        var depth = 0
        var highWater = 0
        /// How often a producer found the queue full and waited.
        var fullWaits = 0
        /// How often it waited `maxWait` and added past the bound.
        var overflows = 0
    }

    private struct State {
        var items: [BridgeInput] = []
        var consumer: CheckedContinuation<[BridgeInput]?, Never>?
        var finished = false
        /// Something besides inputs wants the consumer (acknowledgements to write).
        var woken = false
        var statistics = Statistics()
    }

    let capacity: Int
    /// Inputs taken at most at once: enough for group commit to pay, few enough that one batch's
    /// effects (a retained snapshot burst makes ~20 publications each) stay small.
    let maxBatch: Int
    /// Milliseconds a producer waits for space at most.
    let maxWait: Int
    private let state = Locked(State())
    /// Signalled once per batch taken, waking producers that wait for space.
    private let space = DispatchSemaphore(value: 0)
    private let waiting = Atomic<Int>(0)
    private let mayWait = Atomic<Bool>(true)

    init(capacity: Int = 4096, maxBatch: Int = 256, maxWait: Int = 1000) {
        self.capacity = capacity
        self.maxBatch = maxBatch
        self.maxWait = maxWait
    }

    /// Whether producers wait while the queue is full. Off while the consumer itself waits for
    /// the broker, whose acknowledgements come through the very thread that would be waiting.
    func producersMayWait(_ value: Bool) {
        mayWait.store(value, ordering: .sequentiallyConsistent)
        if !value { wakeProducers() }
    }

    /// Adds an input; blocks the calling thread (never a task) while the queue is full, up to `maxWait`.
    func push(_ input: BridgeInput) {
        var mayBlock = true
        var counted = false
        while state.withLock({ $0.items.count >= capacity && !$0.finished }) {
            guard mayBlock, mayWait.load(ordering: .sequentiallyConsistent) else {
                state.withLock { $0.statistics.overflows += 1 }
                break
            }
            if !counted {
                state.withLock { $0.statistics.fullWaits += 1 }
                counted = true
            }
            waiting.add(1, ordering: .sequentiallyConsistent)
            if space.wait(timeout: .now() + .milliseconds(maxWait)) == .timedOut { mayBlock = false }
            waiting.subtract(1, ordering: .sequentiallyConsistent)
        }
        add(input)
    }

    /// Adds an input without waiting: for the bridge's own inputs (ticks, connects), which are few.
    func add(_ input: BridgeInput) {
        let (consumer, batch) = state.withLock { s -> (CheckedContinuation<[BridgeInput]?, Never>?, [BridgeInput]) in
            guard !s.finished else { return (nil, []) }
            s.items.append(input)
            s.statistics.depth = s.items.count
            s.statistics.highWater = max(s.statistics.highWater, s.items.count)
            guard let consumer = s.consumer else { return (nil, []) }
            s.consumer = nil
            return (consumer, takeAll(&s))
        }
        consumer?.resume(returning: batch)
    }

    /// The inputs waiting, oldest first, at most `maxBatch`; suspends while there are none.
    /// Empty after a `wake()`; nil once finished and drained.
    func take() async -> [BridgeInput]? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> [BridgeInput]?? in
                if !s.items.isEmpty || s.woken {
                    s.woken = false
                    return .some(takeAll(&s))
                }
                if s.finished { return .some(nil) }
                s.consumer = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Makes the consumer's `take` return (with no inputs, if none wait).
    func wake() {
        let consumer = state.withLock { s -> CheckedContinuation<[BridgeInput]?, Never>? in
            guard let consumer = s.consumer else {
                s.woken = true
                return nil
            }
            s.consumer = nil
            return consumer
        }
        consumer?.resume(returning: [])
    }

    /// No more inputs: the consumer's `take` returns what is left, then nil.
    func finish() {
        let consumer = state.withLock { s -> CheckedContinuation<[BridgeInput]?, Never>? in
            s.finished = true
            defer { s.consumer = nil }
            return s.consumer
        }
        consumer?.resume(returning: nil)
        wakeProducers()
    }

    var statistics: Statistics { state.withLock { $0.statistics } }

    private func takeAll(_ s: inout State) -> [BridgeInput] {
        defer {
            s.statistics.depth = s.items.count
            wakeProducers()
        }
        guard s.items.count > maxBatch else {
            defer { s.items = [] }
            return s.items
        }
        let batch = Array(s.items.prefix(maxBatch))
        s.items.removeFirst(maxBatch)
        return batch
    }

    private func wakeProducers() {
        for _ in 0..<waiting.load(ordering: .sequentiallyConsistent) { space.signal() }
    }
}
