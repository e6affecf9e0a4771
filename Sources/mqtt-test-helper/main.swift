// A client that connects with a Last Will and then waits to be killed. Tests SIGKILL it to
// prove the broker publishes the will: usage `mqtt-test-helper URL WILL-TOPIC WILL-PAYLOAD`.
import Foundation
import Logging
import MQTT

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: mqtt-test-helper URL WILL-TOPIC WILL-PAYLOAD\n".utf8))
    exit(2)
}
var configuration = try MQTTConfiguration(url: arguments[1], clientID: "will-helper-\(getpid())")
configuration.will = MQTTWill(topic: arguments[2], text: arguments[3], qos: .atLeastOnce, retain: false)
configuration.keepAlive = 5
let client = try MosquittoClient(configuration: configuration, logger: Logger(label: "mqtt-test-helper"))
try await client.connect()
FileHandle.standardOutput.write(Data("ready\n".utf8))
while true { try await Task.sleep(for: .seconds(3600)) }
