import Foundation
import Testing
import KiqprofCore

/// `import kernel-log` then `incident`: the real OOM kill of the fixtures (pid 29054 on vm) against a Sidekiq log
/// whose process of that pid was running a job when it died, imported in either order.
@Suite("import kernel-log and the OOM kill in incident")
struct ImportKernelLogTests {
    static let kernel = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/kernel")

    /// Sidekiq 6.5 text: pid 29054 finishes a PushJob, starts GrowJob at 20:40:40 and never ends it (the kill is at
    /// 20:41:01); after the kill the same host's Sidekiq comes back as pid 29101.
    static let sidekiqLog = """
        2026-12-04T20:40:30.000Z pid=29054 tid=av class=PushJob jid=0a0000000000000000000001 INFO: start
        2026-12-04T20:40:30.120Z pid=29054 tid=av class=PushJob jid=0a0000000000000000000001 elapsed=0.12 INFO: done
        2026-12-04T20:40:40.000Z pid=29054 tid=bf class=GrowJob jid=0a0000000000000000000002 INFO: start
        2026-12-04T20:41:20.000Z pid=29101 tid=cc class=PushJob jid=0a0000000000000000000003 INFO: start
        2026-12-04T20:41:20.050Z pid=29101 tid=cc class=PushJob jid=0a0000000000000000000003 elapsed=0.05 INFO: done
        2026-12-04T20:43:20.000Z pid=29101 tid=cc class=PushJob jid=0a0000000000000000000004 INFO: start
        2026-12-04T20:43:20.050Z pid=29101 tid=cc class=PushJob jid=0a0000000000000000000004 elapsed=0.05 INFO: done

        """

    @Test("each kernel-log form imports exactly its one kill, once", arguments: [
        "memcg-dmesg.txt", "memcg-journal-short.txt", "memcg-journal-short-iso.txt", "memcg-journal-short-precise.txt",
        "memcg-journal-json.txt", "memcg-kern.log",
    ])
    func importsTheKill(file: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-kernel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("k.sqlite").path
        let path = Self.kernel.appendingPathComponent(file).path
        let arguments = ["import", "kernel-log", path, "--db", db, "--host", "vm", "--year", "2026", "--tz", "UTC",
                         "--boot-time", "1796397241", "--json"]
        let first = try Kiqprof.run(arguments)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(try first.json()["oom_kills_added"] as? Int == 1)
        let kills = try Store(path: db).oomKills()
        #expect(kills.map(\.pid) == [29054] && kills.first?.host == "vm" && kills.first?.rssKiB == 69976)
        #expect(try Kiqprof.run(arguments).json()["already_imported"] as? Bool == true)
    }

    @Test("incident names the kill, the class its process was running, and the restart", arguments: [false, true])
    func incidentNamesTheKill(kernelFirst: Bool) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-kernel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("k.sqlite").path
        let log = directory.appendingPathComponent("sidekiq.log")
        try Self.sidekiqLog.write(to: log, atomically: true, encoding: .utf8)
        let imports = [
            ["import", "kernel-log", Self.kernel.appendingPathComponent("memcg-journal-json.txt").path, "--db", db],
            ["import", "sidekiq-log", log.path, "--db", db, "--host", "vm"],
        ]
        for arguments in kernelFirst ? imports : imports.reversed() {
            let result = try Kiqprof.run(arguments)
            #expect(result.status == 0, "\(arguments[1]): \(result.stderr)")
        }
        // The run the kill took down is lost, with its cause, ending at the kill; the others are untouched.
        let runs = try Kiqprof.run(["runs", "--db", db, "--json"]).json()["runs"] as? [[String: Any]] ?? []
        let grow = try #require(runs.first { $0["class"] as? String == "GrowJob" })
        #expect(grow["outcome"] as? String == "lost" && grow["cause"] as? String == "oom_killed", "\(grow)")
        #expect((grow["end"] as? String)?.hasPrefix("2026-12-04T20:41:01") == true, "\(grow)")
        #expect(runs.filter { $0["cause"] as? String == "oom_killed" }.count == 1)
        #expect(runs.filter { $0["class"] as? String == "PushJob" }.allSatisfy { $0["outcome"] as? String == "ok" })
        let result = try Kiqprof.run(["incident", "--db", db, "--from", "2026-12-04T20:35:00Z", "--to", "2026-12-04T20:45:00Z"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("the OOM killer killed Sidekiq pid 29054 (ruby) on vm at"), "\(result.stdout)")
        #expect(result.stdout.contains("while it ran GrowJob (started"), "\(result.stdout)")
        #expect(result.stdout.contains("restarted as pid 29101"), "\(result.stdout)")
        #expect(result.stdout.contains("its cgroup /kiqprof-oom-capture hit its memory limit"), "\(result.stdout)")
    }
}
