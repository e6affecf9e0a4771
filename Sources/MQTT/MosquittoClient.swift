public import Logging
internal import CMosquitto
import Foundation
import Locking

/// libmosquitto must be initialised once per process before any client exists.
private let libraryReady: Bool = {
    mosquitto_lib_init()
    return true
}()

/// The MQTT 5 client over libmosquitto. The only owner of a `struct mosquitto *`.
///
/// Incoming packets and their callbacks are handled on one loop thread that this client owns
/// (`runLoop`), which also reconnects with backoff. Publishing and subscribing from any task is safe.
public final class MosquittoClient: MQTTClient, AcknowledgementSource, @unchecked Sendable {
    // @unchecked Sendable: `handle` is used only through libmosquitto calls that are thread-safe
    // in threaded mode (they lock internally); every Swift-side field is behind `state`.
    public let configuration: MQTTConfiguration
    let logger: Logger
    let handle: OpaquePointer
    let state = Locked(ClientState())
    /// Cuts a reconnect backoff short when `disconnect()` is called.
    let wake = DispatchSemaphore(value: 0)
    let counters = StatisticsCounters()

    /// Creates a client; nothing is sent until `connect()`.
    public init(configuration: MQTTConfiguration, logger: Logger) throws(MQTTError) {
        precondition(libraryReady)
        self.configuration = configuration
        self.logger = logger
        guard let handle = mosquitto_new(configuration.clientID, configuration.cleanStart, nil) else {
            throw MQTTError(.internalError, "libmosquitto could not create a client (out of memory?)")
        }
        self.handle = handle
        do {
            try configure()
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        installCallbacks()
    }

    deinit {
        // The loop thread holds a strong reference while it runs, so it has stopped by now.
        mosquitto_destroy(handle)
    }

    private func configure() throws(MQTTError) {
        let config = configuration
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5), "selecting MQTT 5")
        // Without TCP_NODELAY every hop waits ~40 ms for a delayed ACK.
        try check(mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1), "setting TCP_NODELAY")
        // Deliberately not `mosquitto_threaded_set`: in libmosquitto 2.0 that flag only makes a
        // publish from another thread wake the loop thread to write the packet. Without it the
        // publishing thread writes the packet itself, under libmosquitto's own
        // `current_out_packet_mutex`, which saves a thread wake-up on every publish (measured:
        // round trip 488 -> 368 µs in `make bench-transport`).
        // Except with TLS: an OpenSSL connection must not be written by one thread while the loop
        // thread reads it (that crashed in libssl under load), so there every write goes through
        // the loop thread.
        if config.tls != nil { try check(mosquitto_threaded_set(handle, true), "serialising TLS writes") }
        if config.username != nil || config.password != nil {
            try check(mosquitto_username_pw_set(handle, config.username, config.password), "setting credentials")
        }
        if let tls = config.tls {
            guard FileManager.default.isReadableFile(atPath: tls.caFile) else {
                throw MQTTError(.tls, "cannot read the CA file \(tls.caFile)")
            }
            let rc = mosquitto_tls_set(handle, tls.caFile, nil, tls.certFile, tls.keyFile, nil)
            if rc != 0 {
                throw MQTTError(.tls, "cannot use the TLS files (CA \(tls.caFile)): \(String(cString: mosquitto_strerror(rc)))")
            }
        }
        if let will = config.will {
            // libmosquitto takes the property list over on success and frees it itself.
            var properties: OpaquePointer?
            if let delay = will.delaySeconds {
                try check(
                    mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_WILL_DELAY_INTERVAL.rawValue), delay), "setting the Will Delay")
            }
            let rc = will.payload.withUnsafeBytes {
                mosquitto_will_set_v5(
                    handle, will.topic, Int32($0.count), $0.baseAddress, will.qos.rawValue, will.retain, properties)
            }
            if rc != 0 { mosquitto_property_free_all(&properties) }
            try check(rc, "setting the Last Will on \(will.topic)")
        }
    }

    private func check(_ rc: Int32, _ doing: String) throws(MQTTError) {
        if rc != 0 { throw MQTTError.fromLibrary(rc, while: doing) }
    }

    /// Counters since the client was created.
    public var statistics: MQTTStatistics { counters.snapshot }

    /// Whether the link is up right now.
    public var isConnected: Bool { state.withLock { $0.connected } }
}
