internal import CMosquitto
import Glibc

extension MosquittoClient {
    /// Holds back small writes while `on` (TCP_CORK), so the publishes of one batch leave in
    /// full segments instead of one loopback segment each; turning it off sends what is held at
    /// once. The kernel's cost per segment, on the bridge and on the broker, was the largest
    /// single cost of a burst. Plain TCP only: with TLS the loop thread does the writing.
    /// Never leave it on across a wait, or what is held waits too (up to 200 ms).
    public func coalesceWrites(_ on: Bool) {
        guard configuration.tls == nil else { return }
        let fd = mosquitto_socket(handle)
        guard fd >= 0 else { return }
        var value: Int32 = on ? 1 : 0
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}
