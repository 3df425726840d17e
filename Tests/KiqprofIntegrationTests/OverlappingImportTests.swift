import Foundation
import Testing
import KiqprofCore

/// Imports that overlap (`journalctl --since 13:00`, then `--since 12:00`; a log file that grew; two exports
/// of the same metrics) keep each run and each sample once. Before, only byte-identical input was caught.
@Suite("overlapping imports count nothing twice")
struct OverlappingImportTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-overlap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ lines: ArraySlice<Substring>) throws -> String {
        let url = directory.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Each stored run as (jid, start to the millisecond, outcome), sorted.
    func runs(_ db: String) throws -> [String] {
        try Store(path: db).runs().map { "\($0.jid ?? "") \(Int(($0.start * 1000).rounded())) \($0.outcome.rawValue)" }.sorted()
    }

    @Test("two overlapping pieces of a log store what the whole log stores", arguments: ["S5/sidekiq.log", "S5/sidekiq-json.log",
                                                                                          "S7/sidekiq.log"])
    func overlappingLogPieces(log: String) throws {
        let text = try String(contentsOf: Fixtures.sidekiq.appendingPathComponent(log), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
        // The later piece first, as when the second journalctl reaches further back; they share the middle third.
        let early = try write("early.log", lines[..<(lines.count * 2 / 3)])
        let late = try write("late.log", lines[(lines.count / 3)...])
        let whole = try write("whole.log", lines[...])

        let wholeDB = directory.appendingPathComponent("whole.sqlite").path
        #expect(try Kiqprof.run(["import", "sidekiq-log", whole, "--db", wholeDB, "--host", "vm"]).status == 0)
        let piecesDB = directory.appendingPathComponent("pieces.sqlite").path
        let first = try Kiqprof.run(["import", "sidekiq-log", late, "--db", piecesDB, "--host", "vm", "--json"])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let second = try Kiqprof.run(["import", "sidekiq-log", early, "--db", piecesDB, "--host", "vm", "--json"])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let summary = try second.json()

        #expect(try runs(piecesDB) == runs(wholeDB), "the pieces store each run once, with the outcome the whole log gives it")
        let skipped = try #require(summary["duplicates_skipped"] as? Int)
        #expect(skipped > 0, "the shared third is skipped as already stored")
        let dryRun = try Kiqprof.run(["import", "sidekiq-log", early, "--dry-run", "--json"]).json()
        #expect((summary["runs_added"] as? Int ?? 0) + skipped == dryRun["runs_added"] as? Int, "every run is added or counted as skipped")
        #expect(try Kiqprof.run(["import", "sidekiq-log", early, "--db", piecesDB]).stdout.contains("already imported"))
    }

    @Test("the same log read with another --host is another import, whose runs are already stored")
    func fingerprintIncludesTheOptions() throws {
        let path = Fixtures.sidekiq.appendingPathComponent("S5/sidekiq.log").path
        let db = directory.appendingPathComponent("k.sqlite").path
        let first = try Kiqprof.run(["import", "sidekiq-log", path, "--db", db, "--host", "vm", "--json"]).json()
        let again = try Kiqprof.run(["import", "sidekiq-log", path, "--db", db, "--host", "other", "--json"]).json()
        #expect(again["already_imported"] as? Bool == false, "--host changes what the bytes mean, so it is not the same import")
        #expect(again["runs_added"] as? Int == 0)
        #expect(again["duplicates_skipped"] as? Int == first["runs_added"] as? Int)
        #expect(try Store(path: db).counts()["job_run"] == first["runs_added"] as? Int)
    }

    @Test("two overlapping exports of the same source keep each instant once")
    func overlappingSampleExports() throws {
        func csv(minutes: ClosedRange<Int>) -> ArraySlice<Substring> {
            let rows = minutes.map { "2026-11-24T14:\(String(format: "%02d", $0)):00Z,cpu_busy_pct,\(50 + $0),vm" }
            return (["timestamp,metric,value,host"] + rows).map { Substring($0) }[...]
        }
        let db = directory.appendingPathComponent("k.sqlite").path
        let first = try Kiqprof.run(["import", "csv", write("a.csv", csv(minutes: 0...9)), "--db", db, "--json"]).json()
        let second = try Kiqprof.run(["import", "csv", write("b.csv", csv(minutes: 5...14)), "--db", db, "--json"]).json()
        #expect(first["samples_added"] as? Int == 10)
        #expect(second["samples_added"] as? Int == 5 && second["duplicates_skipped"] as? Int == 5)
        let samples = try Store(path: db).hostSamples()
        #expect(samples.count == 15 && Set(samples.map(\.t)).count == 15)
        let text = try Kiqprof.run(["import", "csv", write("c.csv", csv(minutes: 10...19)), "--db", db]).stdout
        #expect(text.contains("5 added, 5 skipped (already stored"), "\(text)")
    }
}
