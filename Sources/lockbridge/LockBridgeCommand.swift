import ArgumentParser

@main
struct LockBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockbridge",
        abstract: "An MQTT bridge for smart door locks, and its command-line client.",
        discussion: """
            `lockbridge run` is the bridge: it turns the locks' device link into the public MQTT API \
            (state, events, commands with results, availability, alerts, audit history). The other \
            subcommands are clients that talk to a running bridge over MQTT.
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self])
}
