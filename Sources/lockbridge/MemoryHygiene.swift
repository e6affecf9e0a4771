#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle

/// glibc's allocator keeps what a burst freed (10,000 locks announcing themselves at start, a
/// backlog after an outage) and spreads it over an arena per thread. Two arenas and a periodic
/// trim hand it back to the system, so RSS follows what the bridge holds, not its worst moment.
/// (`malloc.h` is not in Swift's Glibc module, so the two functions are looked up by name.)
enum MemoryHygiene {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32
    /// `M_ARENA_MAX` in glibc's malloc.h.
    private static let arenaMax: Int32 = -8

    /// Call once, before the threads start.
    static func limitArenas() {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 2)
        #endif
    }

    /// Returns free heap pages to the system.
    static func trim() {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}

/// Trims the heap every 10 s, beside the bridge in its ServiceGroup.
struct MemoryTrimmer: Service {
    func run() async throws {
        // Shutdown must not wait out a sleep: the group stops services one by one.
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: .seconds(10))
                MemoryHygiene.trim()
            }
        }
    }
}
