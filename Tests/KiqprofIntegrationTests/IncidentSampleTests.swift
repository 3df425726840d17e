import Foundation
import Testing

/// The bundled real incident (samples/incident, made by samples/reproduce/reproduce.sh): what `make demo`
/// shows must hold, from the recording and from the imported log and sar files alike.
@Suite("the bundled incident: incident, recommend, report")
struct IncidentSampleTests {
    static let sample = Fixtures.packageRoot.appendingPathComponent("samples/incident")
    static let hog = "Scheduler::Trends::RefreshScheduler"
    static let sleeper = "RemoteFeedPollJob"

    /// A private copy of the recorded store: opening a store writes its -wal/-shm files, and report keeps state.
    func recordedStore() throws -> (directory: URL, db: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-sample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("kiqprof.sqlite").path
        try FileManager.default.copyItem(atPath: Self.sample.appendingPathComponent("kiqprof.sqlite").path, toPath: db)
        return (directory, db)
    }

    func suspects(_ db: String) throws -> [[String: Any]] {
        let result = try Kiqprof.run(["incident", "--db", db, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try #require(try result.json()["suspects"] as? [[String: Any]])
    }

    @Test func theRecordingRanksTheHogFirstWithEvidenceAndAnOutage() throws {
        let (directory, db) = try recordedStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try Kiqprof.run(["incident", "--db", db, "--json"]).json()
        let suspects = try #require(report["suspects"] as? [[String: Any]])
        #expect(suspects.first?["class"] as? String == Self.hog)
        let sleeperRank = try #require(suspects.first { $0["class"] as? String == Self.sleeper }?["rank"] as? Int)
        #expect(sleeperRank > 1)
        #expect(suspects.first?["period_source"] as? String == "sidekiq-cron")
        let windows = try #require(report["outage_windows"] as? [[String: Any]])
        #expect(!windows.isEmpty, "the pile-up saturates the CPU")
        #expect((suspects.first?["in_outage_windows"] as? Int ?? 0) >= 1)
        let evidence = suspects.first?["evidence"] as? [String] ?? []
        #expect(evidence.contains { $0.contains("one run adds CPU +") })
    }

    @Test func recommendGivesMastodonsTrendsStepsWithTheSidekiqCronSwitch() throws {
        let (directory, db) = try recordedStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Kiqprof.run(["recommend", "--db", db, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let recommendations = try #require(try result.json()["recommendations"] as? [[String: Any]])
        let first = try #require(recommendations.first)
        #expect(first["class"] as? String == Self.hog)
        #expect(first["action"] as? String == "disable_schedule")
        let steps = (first["steps"] as? [String] ?? []).joined(separator: " ")
        #expect(steps.contains("sidekiq-cron"))
        #expect(steps.contains("HSET cron_job:trends_refresh_scheduler status disabled"))
        #expect(recommendations.contains { $0["action"] as? String == "admin_setting" && ($0["steps"] as? [String]
            ?? []).joined().contains("Discovery") })
        // The sleeper fires with the hog but adds little: nothing to do about it.
        #expect(!recommendations.contains { $0["class"] as? String == Self.sleeper })
        let text = try Kiqprof.run(["recommend", "--db", db])
        #expect(text.stdout.contains("side effect:"))
    }

    @Test func aRulesFileOverridesTheBundledRuleAndABrokenOneIsRefused() throws {
        let (directory, db) = try recordedStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules.json").path
        try """
            {"version": 1, "app": "acme", "rules": [{"schedule": "trends_refresh_scheduler", "class": "Scheduler::Trends::RefreshScheduler",
              "actions": [{"kind": "env", "variable": "TRENDS_ENABLED", "value": "false", "file": ".env.acme", "caveat": "No trends."}]}]}
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let result = try Kiqprof.run(["recommend", "--db", db, "--rules", rules, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let recommendations = try #require(try result.json()["recommendations"] as? [[String: Any]])
        let env = try #require(recommendations.first { $0["action"] as? String == "env" })
        #expect((env["steps"] as? [String])?.first == "Set TRENDS_ENABLED=false in .env.acme.")
        #expect(env["side_effect"] as? String == "No trends.")
        // The override replaced Mastodon's trends rule: its admin setting is gone.
        #expect(!recommendations.contains { $0["action"] as? String == "admin_setting" })

        try "{\"version\": 1, \"app\": \"acme\", \"rules\": [".write(toFile: rules, atomically: true, encoding: .utf8)
        let broken = try Kiqprof.run(["recommend", "--db", db, "--rules", rules])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("rules.json:1:"), "stderr: \(broken.stderr)")
    }

    @Test func theHTMLReportDrawsTheTimelineWithTheSuspectsRuns() throws {
        let (directory, db) = try recordedStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = directory.appendingPathComponent("report.html").path
        let result = try Kiqprof.run(["report", "--db", db, "--format", "html", "-o", html])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg"))
        #expect(page.contains(Self.hog))
        #expect(!page.contains("<script"))
        #expect(page.utf8.count < 3 * 1024 * 1024)
        let markdown = try Kiqprof.run(["report", "--db", db, "--format", "markdown"])
        #expect(markdown.stdout.contains("### Recommendations"))
        // --since-last starts where this report ended: nothing new since.
        let again = try Kiqprof.run(["report", "--db", db, "--since-last", "--format", "json"]).json()
        let incident = try #require(again["incident"] as? [String: Any])
        let suspects = try #require(incident["suspects"] as? [Any], "the report lists its suspects")
        #expect(suspects.count <= 1)
    }

    @Test func theImportedLogsAndSarTellTheSameStory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-sample-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("demo.sqlite").path
        for name in ["sidekiq-1.log", "sidekiq-2.log"] {
            let imported = try Kiqprof.run(["import", "sidekiq-log", Self.sample.appendingPathComponent(name).path, "--db", db])
            #expect(imported.status == 0, "stderr: \(imported.stderr)")
        }
        let sar = try Kiqprof.run(["import", "sar", Self.sample.appendingPathComponent("sar.json").path, "--db", db])
        #expect(sar.status == 0, "stderr: \(sar.stderr)")
        let suspects = try suspects(db)
        #expect(suspects.first?["class"] as? String == Self.hog, "\(suspects.prefix(3).map { $0["class"]! })")
        let sleeper = try #require(suspects.first { $0["class"] as? String == Self.sleeper })
        #expect((sleeper["rank"] as? Int ?? 0) > 1)
        #expect(suspects.first?["period_source"] as? String == "observed")

        // After the outage Redis still holds the schedules: incident and report read them from there.
        let redis = try RedisServer()
        defer { redis.stop() }
        _ = try SnapshotLoader.load(Self.sample.appendingPathComponent("snapshot.json").path, into: redis)
        let live = try Kiqprof.run(["incident", "--db", db, "--redis", redis.unixURL, "--json"])
        #expect(live.status == 0, "stderr: \(live.stderr)")
        let liveSuspects = try #require(try live.json()["suspects"] as? [[String: Any]])
        #expect(liveSuspects.first?["class"] as? String == Self.hog)
        #expect(liveSuspects.first?["period_source"] as? String == "sidekiq-cron")
        #expect(liveSuspects.first?["schedule"] as? String == "trends_refresh_scheduler")
        #expect(!(try live.json()["missing"] as? [String] ?? []).contains { $0.hasPrefix("no schedule definitions") })
        let report = try Kiqprof.run(["report", "--db", db, "--redis", redis.unixURL, "--format", "json"]).json()
        let reportSuspects = (report["incident"] as? [String: Any])?["suspects"] as? [[String: Any]]
        #expect(reportSuspects?.first?["period_source"] as? String == "sidekiq-cron")
    }

    @Test func injectionStringsInAClassQueueAndErrorComeOutEscapedInEveryFormat() throws {
        let (directory, db) = try recordedStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hostileClass = "Evil<script>alert(1)</script>Job"
        let hostileQueue = "q\"><img src=x onerror=alert(2)>"
        let hostileError = "<iframe src=javascript:alert(3)>"
        // Attacker-controlled names, as a federated server can receive them, written into real recorded rows.
        let sql = """
            UPDATE job_run SET class = '\(hostileClass)', queue = '\(hostileQueue)', error_class = '\(hostileError)', outcome = 'failed'
              WHERE class = 'RemoteFeedPollJob';
            INSERT INTO queue_sample (t, queue, size, latency_s) SELECT MAX(t), '\(hostileQueue)', 5000, 900 FROM host_sample;
            INSERT INTO schedule_definition (source, name, class, cron, enabled, toggle_key, first_seen, last_seen)
              VALUES ('sidekiq-cron', '\(hostileQueue)', '\(hostileClass)', '* * * * *', 1, 'cron_job:x', 0, 0);
            """
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        sqlite.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", db, sql]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)

        let html = try Kiqprof.run(["report", "--db", db, "--format", "html"]).stdout
        #expect(html.contains("Evil&lt;script&gt;alert(1)&lt;/script&gt;Job"))
        let markdown = try Kiqprof.run(["report", "--db", db, "--format", "markdown"]).stdout
        #expect(markdown.contains("Evil&lt;script&gt;alert\\(1\\)&lt;/script&gt;Job"))
        for (format, page) in [("html", html), ("markdown", markdown)] {
            for raw in [hostileClass, "<img src=x", "<iframe", "<script"] {
                #expect(!page.contains(raw), "\(format) report carries \(raw) unescaped")
            }
        }
        #expect(html.contains("&lt;img src=x onerror=alert(2)&gt;"), "the queue's latency peak is shown, escaped")
        // JSON keeps the exact strings, encoded as JSON strings.
        let json = try Kiqprof.run(["report", "--db", db, "--format", "json"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("Evil<script>alert(1)</script>Job"))
        let text = try Kiqprof.run(["report", "--db", db])
        #expect(text.status == 0)
    }
}

extension IncidentSampleTests {
    /// The bundled files must not carry the path of the machine they were made on.
    @Test func theSampleNamesNoMachinePath() throws {
        for name in ["sidekiq-1.log", "sidekiq-2.log", "sar.json", "snapshot.json", "README.md"] {
            let text = try String(contentsOf: Self.sample.appendingPathComponent(name), encoding: .utf8)
            for prefix in ["/work/", "/home/", "/root/"] {
                #expect(!text.contains(prefix), "\(name) names a machine path under \(prefix)")
            }
        }
    }
}

extension IncidentSampleTests {
    /// The README shows the demo's `incident` output: each of its lines (once unwrapped) must be what
    /// `incident` prints today on the same files, so the README's numbers cannot drift from the sample.
    @Test func theReadmeShowsWhatTheDemoPrints() throws {
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "$ kiqprof incident --db demo.sqlite"), "the README shows the demo's incident")
        let block = readme[start.upperBound...].prefix { _ in true }
        let end = try #require(block.range(of: "```"))
        let shown = block[..<end.lowerBound].split(separator: "\n").dropFirst()

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("demo.sqlite").path
        for name in ["sidekiq-1.log", "sidekiq-2.log"] {
            _ = try Kiqprof.run(["import", "sidekiq-log", Self.sample.appendingPathComponent(name).path, "--db", db])
        }
        _ = try Kiqprof.run(["import", "sar", Self.sample.appendingPathComponent("sar.json").path, "--db", db])
        let redis = try RedisServer()
        defer { redis.stop() }
        _ = try SnapshotLoader.load(Self.sample.appendingPathComponent("snapshot.json").path, into: redis)
        let output = try Kiqprof.run(["incident", "--db", db, "--redis", redis.unixURL, "--limit", "4"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        func collapse<S: StringProtocol>(_ text: S) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let printed = collapse(output.stdout)
        // A bullet the README wraps over several lines is one line of output: join continuation lines first.
        var entries: [String] = []
        for line in shown {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let numbered = trimmed.range(of: #"^[0-9]+\. "#, options: .regularExpression) != nil
            if trimmed.hasPrefix("- ") || numbered || entries.isEmpty || line.hasPrefix("Outage") || line.hasPrefix("Suspects") {
                entries.append(trimmed)
            } else {
                entries[entries.count - 1] += " " + trimmed
            }
        }
        #expect(entries.count >= 8)
        for entry in entries where !entry.isEmpty {
            #expect(printed.contains(collapse(entry)), "the README shows \"\(entry)\", which incident no longer prints")
        }
    }
}

