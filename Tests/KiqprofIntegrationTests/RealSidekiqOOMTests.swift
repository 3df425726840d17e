import Foundation
import Testing
import KiqprofCore

/// A real OOM kill of a real Sidekiq: Debian's Sidekiq 6.4.1 and sidekiq-cron in a memory cgroup capped at
/// 400 MiB, a periodic job that keeps 80 MB more each run (samples/reproduce-oom/app.rb), `record` polling
/// meanwhile, then the kernel log. `incident` must name the kill, the killed Sidekiq process, the class it was
/// running, and the restart. Needs root for the cgroup and dmesg: without them it fails under CI=true.
@Suite("a real OOM kill of a real Sidekiq", .serialized)
struct RealSidekiqOOMTests {
    static let app = Fixtures.packageRoot.appendingPathComponent("samples/reproduce-oom")
    static let hog = "Scheduler::Trends::RefreshScheduler"

    @Test("incident names the OOM kill, the process, the class it ran (rank 1) and the restart")
    func oomKill() throws {
        guard getuid() == 0 || ProcessInfo.processInfo.environment["CI"] == "true" else {
            print("skipped: a memory cgroup and dmesg need root (CI runs this as root)")
            return
        }
        let cgroup = try MemoryCgroup(limitBytes: 400 << 20)
        defer { cgroup.remove() }
        let server = try RedisServer()
        defer { server.stop() }
        let db = server.directory.appendingPathComponent("k.sqlite").path
        let started = Date().timeIntervalSince1970

        let recording = try Kiqprof.start(["record", "--redis", server.unixURL, "--db", db, "--interval", "1s", "--flush", "2s"])
        defer { if recording.0.isRunning { recording.0.terminate() } }
        let environment = ["KIQ_PERIOD": "6", "KIQ_GROW_MB": "80", "KIQ_GROW_SECONDS": "3"]
        let first = try RealSidekiq(redis: server, concurrency: 3, name: "sidekiq-1", app: Self.app, queues: ["scheduler", "default"],
                                    environment: environment, cgroup: cgroup)
        defer { first.stop() }
        let killedPid = Int(first.process.processIdentifier)
        let deadline = Date().addingTimeInterval(120)
        while first.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.5) }
        try #require(!first.process.isRunning, "the cgroup's OOM killer did not fire within 2 minutes")
        #expect(first.process.terminationReason == .uncaughtSignal && first.process.terminationStatus == SIGKILL)

        // As systemd's Restart=always would: Sidekiq comes back, outside the cgroup this time.
        let second = try RealSidekiq(redis: server, concurrency: 3, name: "sidekiq-2", app: Self.app, queues: ["scheduler", "default"],
                                     environment: ["KIQ_PERIOD": "600"])
        defer { second.stop() }
        Thread.sleep(forTimeInterval: 12)
        recording.0.terminate()
        let recorded = Kiqprof.finish(recording)
        #expect(recorded.status == 0, "record: \(recorded.stderr)")

        let dmesg = Process()
        dmesg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        dmesg.arguments = ["dmesg"]
        let kernelLog = server.directory.appendingPathComponent("dmesg.txt")
        _ = FileManager.default.createFile(atPath: kernelLog.path, contents: nil)
        dmesg.standardOutput = try FileHandle(forWritingTo: kernelLog)
        try dmesg.run()
        dmesg.waitUntilExit()
        try #require(dmesg.terminationStatus == 0, "dmesg failed (kernel.dmesg_restrict, or not root)")
        let imported = try Kiqprof.run(["import", "kernel-log", kernelLog.path, "--db", db, "--json"])
        #expect(imported.status == 0, "import kernel-log: \(imported.stderr)")
        // The job that grew last started after Sidekiq's last heartbeat (every 5 s on 6.x), so only its log knows it.
        for sidekiq in [first, second] {
            let result = try Kiqprof.run(["import", "sidekiq-log", sidekiq.logPath, "--db", db])
            #expect(result.status == 0, "import sidekiq-log: \(result.stderr)")
        }

        let window = ["--from", ISOTimestamp.format(started - 5), "--to", ISOTimestamp.format(Date().timeIntervalSince1970)]
        let incident = try Kiqprof.run(["incident", "--db", db, "--json"] + window)
        #expect(incident.status == 0, "incident: \(incident.stderr)")
        let report = try incident.json()
        let kills = try #require(report["oom_kills"] as? [[String: Any]])
        let kill = try #require(kills.first { $0["pid"] as? Int == killedPid }, "the kill of pid \(killedPid) in \(kills)")
        #expect((kill["sidekiq_process"] as? String)?.contains(":\(killedPid):") == true, "the killed Sidekiq process: \(kill)")
        #expect(kill["cgroup_limit"] as? Bool == true && (kill["rss_mb"] as? Double ?? 0) > 250, "\(kill)")
        let inFlight = (kill["runs_in_flight"] as? [[String: Any]] ?? []).compactMap { $0["class"] as? String }
        #expect(inFlight.contains(Self.hog), "the class it was running: \(inFlight)")
        let restartPid = kill["restart_pid"] as? Int
        #expect(restartPid == Int(second.process.processIdentifier), "the restart: \(kill)")
        let top = (report["suspects"] as? [[String: Any]])?.first
        #expect(top?["class"] as? String == Self.hog, "rank 1: \(String(describing: top?["class"]))")

        let text = try Kiqprof.run(["incident", "--db", db] + window).stdout
        #expect(text.contains("the OOM killer killed Sidekiq pid \(killedPid) ("), "\(text)")
        #expect(text.contains("while it ran \(Self.hog) (started"), "\(text)")
        if let keep = ProcessInfo.processInfo.environment["KIQPROF_KEEP_ARTIFACTS"] {
            try? FileManager.default.copyItem(atPath: server.directory.path, toPath: keep + "/oom-\(Int(started))")
        }
    }
}
