import Foundation
import Testing
import KiqprofCore

/// `kiqprof import metrics` on the real Sidekiq 7.3.10 (S4) and 8.0.10 (S5) snapshots.
@Suite("import metrics")
struct ImportMetricsTests {
    @Test("per-class per-minute counts and histograms match the snapshot", arguments: ["S4", "S5"])
    func metricsMatchSnapshot(fixture: String) throws {
        let server = try RedisServer()
        defer { server.stop() }
        _ = try SnapshotLoader.load(Fixtures.snapshot(fixture), into: server)
        let db = server.directory.appendingPathComponent("k.sqlite").path

        // The expectation from the snapshot: sums over the one-minute hashes.
        let snapshotData = try Data(contentsOf: URL(fileURLWithPath: Fixtures.snapshot(fixture)))
        let snapshot = try JSONSerialization.jsonObject(with: snapshotData) as! [String: Any]
        var expected: [String: [String: Int]] = [:]  // class → p/f/ms
        var minuteKeys = 0
        for entry in snapshot["keys"] as! [[String: Any]] {
            let key = entry["key"] as! String
            guard key.hasPrefix("j|"), let parsed = SidekiqMetricKey(hashKey: key), parsed.seconds == 60 else { continue }
            minuteKeys += 1
            for (field, value) in entry["fields"] as! [String: String] {
                let parts = field.split(separator: "|")
                expected[String(parts[0]), default: [:]][String(parts[1]), default: 0] += Int(value)!
            }
        }
        #expect(minuteKeys == 4)

        let result = try Kiqprof.run(["import", "metrics", "--redis", server.unixURL, "--db", db, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let rows = try Store(path: db).classMinuteMetrics()
        #expect(rows.allSatisfy { $0.seconds == 60 }, "the 8.x rollup covers minutes that have their own hashes")
        for (jobClass, sums) in expected {
            let mine = rows.filter { $0.jobClass == jobClass }
            #expect(mine.map(\.processed).reduce(0, +) == sums["p"] ?? 0, "\(jobClass) processed")
            #expect(mine.map(\.failed).reduce(0, +) == sums["f"] ?? 0, "\(jobClass) failed")
            #expect(mine.map(\.totalMs).reduce(0, +) == sums["ms"] ?? 0, "\(jobClass) ms")
        }
        // Histograms count the successful executions of their minute.
        let fast = rows.filter { $0.jobClass == "FastJob" }
        #expect(!fast.isEmpty && fast.allSatisfy { $0.histogram != nil })
        #expect(fast.allSatisfy { ($0.histogram ?? []).reduce(0, +) == $0.processed - $0.failed })

        // Again: nothing new.
        let again = try Kiqprof.run(["import", "metrics", "--redis", server.unixURL, "--db", db, "--json"]).json()
        #expect(again["samples_added"] as? Int == 0)
        #expect(again["duplicates_skipped"] as? Int == rows.count)
    }

    @Test func keyNamesOfBothVersions() {
        let seven = SidekiqMetricKey(hashKey: "j|20261126|17:5")
        #expect(seven?.family == 7 && seven?.seconds == 60 && seven?.start == TimeExpression.parseISO("2026-11-26T17:05:00Z"))
        #expect(seven?.histogramKey(jobClass: "FastJob") == "FastJob-26-17:5")
        let eight = SidekiqMetricKey(hashKey: "j|261126|17:05")
        #expect(eight?.family == 8 && eight?.seconds == 60 && eight?.histogramKey(jobClass: "FastJob") == "h|FastJob-26-17:5")
        let rollup = SidekiqMetricKey(hashKey: "j|261126|17:5")
        #expect(rollup?.seconds == 600 && rollup?.start == TimeExpression.parseISO("2026-11-26T17:50:00Z"))
        #expect(SidekiqMetricKey(hashKey: "j|notadate|1:2") == nil)
        #expect(SidekiqMetricKey.histogramCounts([0, 3, 1, 0]) == [3, 256] + Array(repeating: 0, count: 24))
    }
}
