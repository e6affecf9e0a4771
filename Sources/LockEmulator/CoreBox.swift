import Synchronization

/// The emulator core behind one mutex; MQTT consumers and the ticker each take it briefly.
final class CoreBox: Sendable {
    private let mutex: Mutex<EmulatorCore>
    init(_ core: consuming EmulatorCore) { mutex = Mutex(core) }
    func with<R>(_ body: (inout EmulatorCore) -> R) -> R { mutex.withLock { body(&$0) } }
}
