import ArgumentParser

@main
struct LockEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock-emulator",
        abstract: "Simulates one to 10,000 smart locks that talk to LockBridge through an MQTT broker.",
        version: "0.1.0")
}
