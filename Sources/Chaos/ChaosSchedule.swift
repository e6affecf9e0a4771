/// One fault schedule of the chaos suite (`make chaos`, docs/reliability.md).
public enum ChaosSchedule: String, CaseIterable, Sendable {
    /// The broker SIGKILLed and started again every 1–4 s: it loses what it had not saved.
    case brokerKill = "broker-sigkill"
    /// The broker SIGTERMed (it saves its persistence) and started again every 1–4 s.
    case brokerTerm = "broker-sigterm"
    /// The bridge `kill -9`ed and started again every 2–5 s.
    case bridgeKill = "bridge-kill9"
    /// The emulator `kill -9`ed and started again every 2–5 s; its seq skips ahead by design.
    case emulatorKill = "emulator-kill9"

    /// Seconds between one fault and the next, drawn evenly.
    var interval: ClosedRange<Double> {
        switch self {
        case .brokerKill, .brokerTerm: 1...4
        case .bridgeKill, .emulatorKill: 2...5
        }
    }

    /// Whether the broker may lose messages it had acknowledged (it was killed before saving).
    public var brokerMayLose: Bool { self == .brokerKill }
}
