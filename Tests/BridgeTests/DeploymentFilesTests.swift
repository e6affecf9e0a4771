import Foundation
import Testing
import TestSupport

/// docker-compose.yml, the Dockerfile and config/lockbridge.service agree with each other and
/// with the programs (there is no Docker engine or systemd to run them here).
@Suite struct DeploymentFilesTests {
    /// `make test` installs docker-compose (APT_PACKAGES); without it this fails and says so.
    @Test func composeDockerfileAndUnitValidate() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-compose"), "docker-compose is missing: run make deps")
        let script = ShippedBroker.root.appendingPathComponent("scripts/validate-deploy.sh").path
        let process = try ChildProcess(path: script, [])
        #expect(try await process.waitForExit(within: 60) == 0, "\(process.text)")
    }

    /// Every flag the compose file and the unit pass exists in the program's --help.
    @Test func everyFlagTheDeploymentPassesExists() async throws {
        let compose = try ShippedBroker.file("docker-compose.yml") + "\n" + ShippedBroker.file("config/docker-compose.cluster.yml")
        let unit = try ShippedBroker.file("config/lockbridge.service")
        let bridgeHelp = try await help("lockbridge", ["run", "--help"])
        let emulatorHelp = try await help("lock-emulator", ["--help"])

        let service = try Regex(#"(?m)^  ([a-z-]+):$"#)
        let flag = try Regex(#"--[a-z][a-z-]*"#)
        var current = ""
        var checked = 0
        for line in compose.split(separator: "\n") {
            if let match = line.wholeMatch(of: service) { current = String(line[match.output[1].range!]) }
            guard line.hasPrefix("      - --") else { continue }
            let name = String(line[line.firstMatch(of: flag)!.range])
            let help = current == "lock-emulator" ? emulatorHelp : bridgeHelp
            #expect(help.contains(name), "docker-compose passes \(name) to \(current)")
            checked += 1
        }
        let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        for match in execStart.matches(of: flag) {
            #expect(bridgeHelp.contains(String(execStart[match.range])), "lockbridge.service passes \(execStart[match.range])")
            checked += 1
        }
        #expect(checked >= 12)
    }

    private func help(_ program: String, _ arguments: [String]) async throws -> String {
        let process = try ChildProcess(program, arguments)
        #expect(try await process.waitForExit() == 0)
        return process.text
    }
}
