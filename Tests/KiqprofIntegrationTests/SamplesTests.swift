import Foundation
import Testing

/// The bundled samples work as shipped: the systemd units pass `systemd-analyze verify` and their command
/// line runs; the Prometheus config, rules and rule tests pass promtool.
@Suite("samples: systemd units and Prometheus rules")
struct SamplesTests {
    static let samples = Fixtures.packageRoot.appendingPathComponent("samples")

    @Test("kiqprof-check.{service,timer} and kiqprof-alert@.service pass systemd-analyze verify, and ExecStart runs")
    func systemdUnits() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            throw TestSetupError("systemd-analyze is not installed: run `make test`, which installs systemd")
        }
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq()
        try scenario.store()
        let directory = scenario.server.directory.appendingPathComponent("units")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let names = ["kiqprof-check.service", "kiqprof-check.timer", "kiqprof-alert@.service"]
        for name in names {
            let text = try String(contentsOf: Self.samples.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
            // The installed path is /usr/local/bin; here the binary under test stands in for it.
            try text.replacingOccurrences(of: "/usr/local/bin/kiqprof", with: Kiqprof.binary.path)
                .write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let verify = try Self.run("/usr/bin/systemd-analyze", ["verify"] + names.map { directory.appendingPathComponent($0).path })
        #expect(verify.status == 0 && verify.output.isEmpty, "systemd-analyze verify: \(verify.output)")

        let service = try String(contentsOf: Self.samples.appendingPathComponent("systemd/kiqprof-check.service"), encoding: .utf8)
        #expect(service.contains("OnFailure=kiqprof-alert@%n.service"))
        let line = try #require(service.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        var words = line.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        #expect(words.removeFirst() == "/usr/local/bin/kiqprof")
        let envFile = scenario.server.directory.appendingPathComponent("env.production")
        try "REDIS_URL=\(scenario.server.unixURL)\n".write(to: envFile, atomically: true, encoding: .utf8)
        for (index, word) in words.enumerated() where index > 0 {
            switch words[index - 1] {
            case "--db": words[index] = scenario.db
            case "--env-file": words[index] = envFile.path
            default: _ = word
            }
        }
        let result = try Kiqprof.run(words)
        #expect(result.status == 0, "\(words): \(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("SIDEKIQ OK - "))
    }

    @Test("prometheus.yml, kiqprof-rules.yml and its rule tests pass promtool")
    func prometheusRules() throws {
        let directory = Self.samples.appendingPathComponent("prometheus").path
        let config = try Promtool.run(["check", "config", directory + "/prometheus.yml"])
        #expect(config.status == 0, "\(config.output)")
        let rules = try Promtool.run(["check", "rules", directory + "/kiqprof-rules.yml"])
        #expect(rules.status == 0, "\(rules.output)")
        let tests = try Promtool.run(["test", "rules", directory + "/kiqprof-rules.test.yml"])
        #expect(tests.status == 0 && tests.output.contains("SUCCESS"), "\(tests.output)")
    }

    static func run(_ binary: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
