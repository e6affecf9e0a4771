#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator keeps what a burst freed (10,000 locks announcing themselves at start, a
/// backlog after an outage) and spreads it over an arena per thread. Two arenas and a periodic
/// trim hand it back to the system, so RSS follows what the bridge holds, not its worst moment.
enum MemoryHygiene {
    /// Call once, before the threads start.
    static func limitArenas() {
        #if canImport(Glibc)
        _ = mallopt(M_ARENA_MAX, 2)
        #endif
    }

    /// Returns free heap pages to the system.
    static func trim() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }
}
