/// The release of the bridge, the emulator and the client, and of the contract they speak:
/// `--version`, `bridge/info` and the discovery configs' origin show it.
public enum Release {
    /// 0.2.0: device discovery for Home Assistant, schedules and one-time and duress codes.
    public static let version = "0.2.0"
}
