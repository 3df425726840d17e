import Foundation
import Testing
@testable import KiqprofCore

/// `kiqprof import sidekiq-log` on the real logs of Sidekiq 6.4.1, 6.5.12, 7.3.10 and 8.0.10 in every form:
/// the runs must match each log's own done/fail lines per class, count and summed elapsed.
@Suite("import sidekiq-log")
struct ImportLogTests {
    static let logs = [
        "N1/sidekiq.log", "S1/sidekiq.log", "S2/sidekiq.log", "S2/sidekiq-json.log", "S4/sidekiq.log", "S5/sidekiq.log",
        "S5/sidekiq-json.log", "S5/sidekiq-plain.log", "S5/journal-short-iso.log", "S5/journal-excerpt.json",
        "S6/sidekiq.log", "S7/sidekiq.log",
    ]

    @Test("runs match the log's done/fail lines per class", arguments: logs)
    func importMatchesFacts(log: String) throws {
        let path = Fixtures.sidekiq.appendingPathComponent(log).path
        let facts = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + ".facts.json"))) as! [String: Any]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("k.sqlite").path

        let result = try Kiqprof.run(["import", "sidekiq-log", path, "--db", db, "--host", "vm", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try result.json()
        #expect(summary["runs_added"] as? Int ?? 0 >= facts["total_runs"] as! Int)

        // `runs` says when its limit cut the list.
        let listed = try Kiqprof.run(["runs", "--db", db, "--json", "--limit", "3"]).json()
        let all = try Store(path: db).runs().count
        #expect(listed["total"] as? Int == all && (listed["runs"] as? [Any])?.count == min(3, all))
        #expect(listed["truncated"] as? Bool == (all > 3))
        let runs = try Store(path: db).runs().filter { $0.outcome != .running && $0.outcome != .lost }
        #expect(runs.count == facts["total_runs"] as? Int)
        #expect(runs.allSatisfy { $0.source == .log && $0.host == "vm" && $0.end.estimate != nil })
        let classes = facts["classes"] as! [String: [String: Any]]
        #expect(Set(runs.map(\.jobClass)) == Set(classes.keys))
        for (jobClass, expected) in classes {
            let mine = runs.filter { $0.jobClass == jobClass }
            #expect(mine.count == expected["runs"] as? Int, "\(jobClass) runs")
            #expect(mine.filter { $0.outcome == .ok }.count == expected["done"] as? Int, "\(jobClass) done")
            #expect(mine.filter { $0.outcome == .failed || $0.outcome == .interrupted }.count == expected["fail"] as? Int,
                "\(jobClass) fail")
            let elapsed = mine.compactMap(\.duration).reduce(0, +)
            #expect(abs(elapsed - (expected["elapsed_s"] as! Double)) < 0.0005 * Double(mine.count) + 1e-6,
                "\(jobClass) elapsed \(elapsed)")
        }
        // A failure names its exception; a job killed at the shutdown deadline is interrupted, not failed.
        #expect(runs.filter { $0.outcome == .failed }.allSatisfy { $0.errorClass != nil })

        // Importing the same file again adds nothing.
        let again = try Kiqprof.run(["import", "sidekiq-log", path, "--db", db, "--json"])
        #expect(again.status == 0)
        #expect(try again.json()["already_imported"] as? Bool == true)
        #expect(try Store(path: db).counts()["job_run"] == summary["runs_added"] as? Int)
    }

    @Test("a dry run parsed in blocks by two threads says what one thread says", arguments: logs)
    func blocksMatchOneThread(log: String) throws {
        let path = Fixtures.sidekiq.appendingPathComponent(log).path
        var importer = SidekiqLogImporter(host: "vm")
        importer.dryRun = true
        let whole = try importer.run(path: path, store: nil)
        for blockSize in [64, 1000] {
            importer.blockSize = blockSize
            #expect(try importer.run(path: path, store: nil) == whole, "\(blockSize)-byte blocks")
        }
    }

    @Test("error classes and shutdown interruptions are read from the log")
    func failuresAndInterruptions() throws {
        let path = Fixtures.sidekiq.appendingPathComponent("S1/sidekiq.log").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("k.sqlite").path
        #expect(try Kiqprof.run(["import", "sidekiq-log", path, "--db", db]).status == 0)
        let runs = try Store(path: db).runs()
        #expect(runs.first { $0.jid == "3cd72c0906c7f4b673785a31" }?.errorClass == "IOError")
        #expect(runs.first { $0.jid == "e8337fa9cd49cffc6c603900" }?.errorClass == "ArgumentError")
        // The five jobs killed at the 8 s shutdown deadline.
        let interrupted = runs.filter { $0.outcome == .interrupted }
        #expect(Set(interrupted.compactMap(\.jid)) == [
            "c77191c855f114049a317c9c", "222956c4e44b3b5ced555596", "db54e5ded340cb201d8d9d9c", "0ffae8eff628992f6db1c668",
            "4031151845a81dd77e5de66f",
        ])
        let burn = try #require(runs.first { $0.jid == "4031151845a81dd77e5de66f" })
        #expect(abs(burn.duration! - 20.31) < 1e-6)
        #expect(burn.end.estimate == TimeExpression.parseISO("2026-11-26T17:49:04.552Z"))
    }

    @Test("a dry run in blocks refuses a NUL byte at the line one thread names")
    func blocksRefuseBinaryAtItsLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-nul-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var bytes = Array(try Data(contentsOf: Fixtures.sidekiq.appendingPathComponent("S1/sidekiq.log")))
        let line = 30
        var offset = 0
        for _ in 1..<line { offset = bytes[offset...].firstIndex(of: 10)! + 1 }
        bytes.insert(0, at: offset + 3)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var importer = SidekiqLogImporter(host: "vm")
        importer.dryRun = true
        for blockSize in [64, 1000, 1 << 30] {
            importer.blockSize = blockSize
            #expect(throws: KiqprofError.self, "\(blockSize)-byte blocks") { try importer.run(path: path, store: nil) }
            do {
                _ = try importer.run(path: path, store: nil)
            } catch {
                #expect("\(error)".contains("\(path):\(line) "), "\(blockSize)-byte blocks: \(error)")
            }
        }
    }

    @Test("stdin, binary junk, and a log with nothing of Sidekiq's")
    func badInput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("k.sqlite").path
        let junk = directory.appendingPathComponent("junk.bin")
        var bytes = Array("2026-11-26T17:47:21.728Z pid=1349 tid=1p class=FlakyJob jid=3cd72c0906c7f4b673785a31 INFO: start\n".utf8)
        bytes += [0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01, 0x02, 0x0A]
        try Data(bytes).write(to: junk)
        let refused = try Kiqprof.run(["import", "sidekiq-log", junk.path, "--db", db])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("junk.bin:2"))
        #expect(refused.stderr.contains("binary data"))
        #expect(try Store(path: db).counts()["job_run"] == 0, "nothing partial was written")

        let noise = directory.appendingPathComponent("noise.log")
        try "hello\nworld\n2026-11-26 17:47 something else\n".write(to: noise, atomically: true, encoding: .utf8)
        let skipped = try Kiqprof.run(["import", "sidekiq-log", noise.path, "--db", db, "--json"])
        #expect(skipped.status == 0)
        let summary = try skipped.json()
        #expect(summary["not_understood"] as? Int == 3)
        #expect((summary["examples"] as? [String])?.first?.hasPrefix("\(noise.path):1: ") == true)
        #expect(try Kiqprof.run(["import", "sidekiq-log", "/nonexistent/sidekiq.log", "--db",
            db]).stderr.contains("/nonexistent/sidekiq.log"))
    }

    @Test("a log run supersedes the polled run of the same jid")
    func logSupersedesPoll() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("k.sqlite").path
        let store = try Store(path: db)
        var batch = RecordBatch()
        // The CPU burn of S1's second wave as `record` would have seen it (start = run_at, whole seconds).
        let start = TimeExpression.parseISO("2026-11-26T17:48:44Z")!
        batch.runs = [
            JobRun(jid: "4031151845a81dd77e5de66f", jobClass: "CpuBurnJob", queue: "default", identity: "vm:1349:1116c172e4dc", host: "vm",
                   pid: 1349, tid: "3x", start: start, end: .between(start + 18, start + 23), outcome: .unknown, source: .poll),
            JobRun(jid: "ffffffffffffffffffffffff", jobClass: "Other", queue: "default", identity: "vm:1349:1116c172e4dc", host: "vm",
                   pid: 1349, tid: "3y", start: start, end: .between(start + 1, start + 2), outcome: .ok, source: .poll),
        ]
        try store.write(batch)
        let path = Fixtures.sidekiq.appendingPathComponent("S1/sidekiq.log").path
        let result = try Kiqprof.run(["import", "sidekiq-log", path, "--db", db, "--json"])
        #expect(try result.json()["superseded_polled_runs"] as? Int == 1)
        let runs = try store.runs()
        #expect(runs.filter { $0.jid == "4031151845a81dd77e5de66f" }.map(\.source) == [.log])
        #expect(runs.contains { $0.jid == "ffffffffffffffffffffffff" && $0.source == .poll })
    }

    @Test("--format keeps only lines of that form")
    func forcedFormat() throws {
        // S2's JSON log starts with one text line (the boot banner, before the formatter is set).
        let path = Fixtures.sidekiq.appendingPathComponent("S2/sidekiq-json.log").path
        let asJSON = try Kiqprof.run(["import", "sidekiq-log", path, "--dry-run", "--format", "json", "--json"]).json()
        #expect(asJSON["runs_added"] as? Int == 27)
        let asText = try Kiqprof.run(["import", "sidekiq-log", path, "--dry-run", "--format", "text", "--json"]).json()
        #expect(asText["runs_added"] as? Int == 0)
        #expect((asText["examples"] as? [String])?.contains { $0.contains("a json line, not text (--format)") } == true)
        #expect(try Kiqprof.run(["import", "sidekiq-log", path, "--format", "xml"]).status == 64)
    }
}
