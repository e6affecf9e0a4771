import ArgumentParser

@main
struct LockBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockbridge",
        abstract: "An MQTT bridge for smart door locks, and its command-line client.",
        version: "0.1.0")
}
