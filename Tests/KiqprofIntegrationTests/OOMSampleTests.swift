import Foundation
import Testing
import KiqprofCore

/// The bundled OOM story (samples/oom, made by `make reproduce-oom`): `incident` names the kill, the killed
/// Sidekiq process, the class it was running (rank 1) and the restart, and the files carry no machine path.
@Suite("the bundled OOM kill")
struct OOMSampleTests {
    static let sample = Fixtures.packageRoot.appendingPathComponent("samples/oom")

    @Test func incidentNamesTheKillTheProcessTheClassAndTheRestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-oom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("k.sqlite").path
        try FileManager.default.copyItem(atPath: Self.sample.appendingPathComponent("kiqprof.sqlite").path, toPath: db)
        let result = try Kiqprof.run(["incident", "--db", db, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try result.json()
        let kill = try #require((report["oom_kills"] as? [[String: Any]])?.first)
        #expect(kill["pid"] as? Int == 24300 && kill["cgroup_limit"] as? Bool == true)
        #expect((kill["sidekiq_process"] as? String)?.hasPrefix("vm:24300:") == true)
        let inFlight = (kill["runs_in_flight"] as? [[String: Any]] ?? []).compactMap { $0["class"] as? String }
        #expect(inFlight.contains("Scheduler::Trends::RefreshScheduler"))
        #expect(kill["restart_pid"] as? Int == 24902)
        let suspects = try #require(report["suspects"] as? [[String: Any]])
        #expect(suspects.first?["class"] as? String == "Scheduler::Trends::RefreshScheduler")
        let text = try Kiqprof.run(["incident", "--db", db, "--limit", "3"]).stdout
        let bundled = try String(contentsOf: Self.sample.appendingPathComponent("incident.txt"), encoding: .utf8)
        #expect(text == bundled, "samples/oom/incident.txt is what incident prints today")
    }

    @Test func theSampleNamesNoMachinePath() throws {
        for name in ["kernel.log", "sidekiq-1.log", "sidekiq-2.log", "sar.json", "incident.txt", "README.md", "kiqprof.sqlite"] {
            let data = try Data(contentsOf: Self.sample.appendingPathComponent(name))
            let text = String(decoding: data, as: UTF8.self)
            for prefix in ["/work/", "/home/", "/root/"] {
                #expect(!text.contains(prefix), "\(name) names a machine path under \(prefix)")
            }
        }
    }
}
