import Foundation
import Testing
@testable import KiqprofCore

/// A recorded store whose runs carry measured CPU, through the binary: `incident` (text and JSON), `runs`
/// (text and JSON) and `report` (HTML and JSON) show the numbers worked out by hand below.
@Suite("measured per-run CPU on the command line")
struct MeasuredCPUCommandTests {
    static let t0 = 1_795_000_000.0
    static let window = ["--from", "\(Int(t0))", "--to", "\(Int(t0) + 200)"]

    /// Host "vm", 2 cores, sampled every 10 s over [0, 200] at 60 % busy (no outage): 20 × 10 s × 0.6 × 2 = 240
    /// CPU-seconds. Process vm:4242:abc's job threads use 6 CPU-seconds every 10 s: 120. Runs, all in it:
    /// - Hog [20, 60±2] 30 CPU-s (28–32), [100, 160±2] 45 (43–47), [180, 230±2] 25 (24–26): 20 of its 50 s are in
    ///   the window, so 10 (9.6–10.4) count there. Window: 85 CPU-s (80.6–89.4) of 240, 35 %; whole runs 100 CPU-s
    ///   over 150 s: 0.67 CPU per run-second, 33 CPU-s per run.
    /// - Light [40, 50±2] 1 CPU-s; [120, 130±2] not measured (unsure).
    /// - Sleeper [100, 150] from a log.
    /// Unattributed job CPU: 120 − (85 + 1) = 34.
    static func store() throws -> (directory: URL, db: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-cpu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("kiqprof.sqlite").path
        let store = try Store(path: db)
        var batch = RecordBatch()
        let identity = "vm:4242:abc"
        func run(_ jobClass: String, _ jid: String, _ start: Double, _ end: Double, cpu: RunCPU?, note: RunCPUNote? = nil,
                 source: RunSource = .poll) -> JobRun {
            var run = JobRun(jid: jid, jobClass: jobClass, queue: "default", identity: source == .poll ? identity : nil, host: "vm",
                             pid: 4242, tid: "t\(jid)", start: t0 + start,
                             end: source == .poll ? .between(t0 + end - 2, t0 + end + 2) : .exact(t0 + end), outcome: .ok, source: source)
            run.cpu = cpu
            run.cpuNote = note
            return run
        }
        batch.runs = [
            run("Hog", "h1", 20, 60, cpu: RunCPU(seconds: 30, minSeconds: 28, maxSeconds: 32, mapping: .sure)),
            run("Light", "l1", 40, 50, cpu: RunCPU(seconds: 1, minSeconds: 1, maxSeconds: 1, mapping: .sure)),
            run("Hog", "h2", 100, 160, cpu: RunCPU(seconds: 45, minSeconds: 43, maxSeconds: 47, mapping: .likely)),
            run("Sleeper", "s1", 100, 150, cpu: nil, source: .log),
            run("Light", "l2", 120, 130, cpu: nil, note: .unsure),
            run("Hog", "h3", 180, 230, cpu: RunCPU(seconds: 25, minSeconds: 24, maxSeconds: 26, mapping: .sure)),
        ]
        for step in 0...20 {
            let t = t0 + Double(step * 10)
            var host = HostSample(t: t, host: "vm", source: .proc)
            host.cpuIdlePct = 40
            host.cpuIowaitPct = 0
            host.cpuCount = 2
            host.memTotalKiB = 4_194_304
            host.memAvailableKiB = 2_097_152
            batch.hostSamples.append(host)
            var process = ProcessSample(t: t, identity: identity, host: "vm", pid: 4242, busy: 1, concurrency: 5)
            process.jobCPUSeconds = step == 0 ? nil : 6
            batch.processSamples.append(process)
        }
        try store.write(batch)
        return (directory, db)
    }

    @Test func incidentShowsMeasuredCPUPerClass() throws {
        let (directory, db) = try Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try Kiqprof.run(["incident", "--db", db] + Self.window)
        #expect(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.contains("     - used 85 CPU-seconds (81–89) of the 240 the host spent in the window (35 %); 0.67 CPU per"
            + " run-second, 33 CPU-seconds per run; 3 of 3 runs measured\n"))
        #expect(text.stdout.contains("     - used 1 CPU-second of the 240 the host spent in the window (0.4 %); 0.10 CPU per run-second,"
            + " 1 CPU-second per run; 1 of 2 runs measured (not measured: 1 whose thread was ambiguous)\n"))
        #expect(text.stdout.contains("     - no run measured for CPU in the window (1 run: 1 from a log)\n"))
        #expect(text.stdout.contains("""
            Measured CPU in the window (3m20s)
              - the host spent 240 CPU-seconds (2 cores); the measured runs used 86
              - vm:4242:abc: 34 CPU-seconds of unattributed job CPU (its job threads used 120, its measured runs 86: runs too short \
            to be seen, or not measured)

            """))

        let json = try Kiqprof.run(["incident", "--db", db, "--json"] + Self.window).json()
        let suspects = try #require(json["suspects"] as? [[String: Any]])
        let hog = try #require(suspects.first { $0["class"] as? String == "Hog" })
        #expect(hog["rank"] as? Int == 1)
        let measured = try #require(hog["measured_cpu"] as? [String: Any])
        let window = try #require(measured["window"] as? [String: Any])
        #expect(window["runs"] as? Int == 3 && window["runs_measured"] as? Int == 3 && window["runs_unmeasured"] as? Int == 0)
        #expect(window["cpu_s"] as? Double == 85 && window["cpu_s_min"] as? Double == 80.6 && window["cpu_s_max"] as? Double == 89.4)
        #expect(window["host_cpu_s"] as? Double == 240 && window["host_share_pct"] as? Double == 35.4)
        #expect(window["cpu_per_run_s"] as? Double == 0.667 && window["cpu_s_per_run"] as? Double == 33.33)
        #expect(measured["outage_windows"] is NSNull)
        // 0.667 CPU of 2 cores per running instance: 33.3 pp, measured over all of its run time: it is the score's CPU part.
        #expect(measured["cpu_pp"] as? Double == 33.33 && measured["scored"] as? Bool == true)
        let parts = try #require(hog["score_parts"] as? [String: Any])
        #expect(parts["resource_basis"] as? String == "measured")
        let sleeper = try #require(suspects.first { $0["class"] as? String == "Sleeper" })
        let sleeperWindow = try #require((sleeper["measured_cpu"] as? [String: Any])?["window"] as? [String: Any])
        #expect(sleeperWindow["unmeasured"] as? [String: Int] == ["log": 1])
        #expect(sleeperWindow["cpu_per_run_s"] is NSNull)
        let summary = try #require(json["measured_cpu"] as? [String: Any])
        #expect(summary["cpu_count"] as? Int == 2)
        let scope = try #require(summary["window"] as? [String: Any])
        #expect(scope["host_cpu_s"] as? Double == 240 && scope["job_cpu_s"] as? Double == 120)
        #expect(scope["measured_run_cpu_s"] as? Double == 86 && scope["unattributed_job_cpu_s"] as? Double == 34)
        let process = try #require((scope["processes"] as? [[String: Any]])?.first)
        #expect(process["identity"] as? String == "vm:4242:abc" && process["unattributed_job_cpu_s"] as? Double == 34)
    }

    @Test func runsListsEachRunsCPU() throws {
        let (directory, db) = try Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = try Kiqprof.run(["runs", "--db", db, "--json"]).json()
        let runs = try #require(json["runs"] as? [[String: Any]])
        let h2 = try #require(runs.first { $0["jid"] as? String == "h2" })
        #expect(h2["cpu_s"] as? Double == 45 && h2["cpu_s_min"] as? Double == 43 && h2["cpu_s_max"] as? Double == 47)
        // 45 CPU-seconds over its 60 s (the middle of its end bracket).
        #expect(h2["cpu_share"] as? Double == 0.75 && h2["cpu_mapping"] as? String == "likely" && h2["cpu_note"] is NSNull)
        let unsure = try #require(runs.first { $0["jid"] as? String == "l2" })
        #expect(unsure["cpu_s"] is NSNull && unsure["cpu_share"] is NSNull && unsure["cpu_note"] as? String == "unsure")
        let logged = try #require(runs.first { $0["jid"] as? String == "s1" })
        #expect(logged["cpu_note"] as? String == "log" && logged["cpu_mapping"] is NSNull)

        let text = try Kiqprof.run(["runs", "--db", db])
        #expect(text.status == 0, "stderr: \(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.contains { $0.contains("CPU") && $0.contains("CORES") && $0.contains("OUTCOME") })
        #expect(lines.contains { $0.contains(" h2") && $0.contains("45s") && $0.contains("0.75") })
        #expect(lines.contains { $0.contains(" l2") && $0.contains("unsure") })
    }

    @Test func theReportHasAMeasuredCPUTable() throws {
        let (directory, db) = try Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = try Kiqprof.run(["report", "--db", db, "--format", "html"] + Self.window)
        #expect(html.status == 0, "stderr: \(html.stderr)")
        #expect(html.stdout.contains("<section id=\"cpu\"><h2>Measured CPU per class</h2>"))
        #expect(html.stdout.contains("<th>class</th><th class=\"n\">runs measured</th><th class=\"n\">CPU-s</th><th class=\"n\">CPU-s per"
            + " run</th><th class=\"n\">CPU per run-second</th><th class=\"n\">share of host CPU</th><th>without measurement (why)</th>"))
        #expect(html.stdout.contains("<tr><td class=\"class\">Hog</td><td class=\"n\">3 of 3</td><td class=\"n\">85</td><td"
            + " class=\"n\">33</td><td class=\"n\">0.67</td><td class=\"n\">35 %</td><td>-</td></tr>"))
        #expect(html.stdout.contains("<tr><td class=\"class\">Light</td><td class=\"n\">1 of 2</td><td class=\"n\">1</td><td"
            + " class=\"n\">1</td><td class=\"n\">0.10</td><td class=\"n\">0.4 %</td><td>1 whose thread was ambiguous</td></tr>"))
        #expect(html.stdout.contains("<tr><td class=\"class\">Sleeper</td><td class=\"n\">0 of 1</td><td class=\"n\">-</td><td"
            + " class=\"n\">-</td><td class=\"n\">-</td><td class=\"n\">-</td><td>1 from a log</td></tr>"))
        #expect(html.stdout.contains("<li>vm:4242:abc: 34 CPU-seconds of unattributed job CPU in the window (its job threads used 120,"
            + " its measured runs 86)</li>"))

        let json = try Kiqprof.run(["report", "--db", db, "--format", "json"] + Self.window).json()
        let classes = try #require(json["classes"] as? [[String: Any]])
        let hog = try #require(classes.first { $0["class"] as? String == "Hog" })
        #expect(hog["cpu_s"] as? Double == 85 && hog["runs_cpu_measured"] as? Int == 3 && hog["cpu_host_share_pct"] as? Double == 35.4)
        // The recommendations' impact says what ranked the class: its measured CPU.
        let recommendations = try #require(json["recommendations"] as? [[String: Any]])
        #expect(recommendations.contains { ($0["impact"] as? String)?.hasPrefix("high: one run takes 33 pp CPU (measured)") == true })
        let markdown = try Kiqprof.run(["report", "--db", db, "--format", "markdown"] + Self.window)
        #expect(markdown.stdout.contains("| Hog | 3 of 3 | 85 | 33 | 0.67 | 35 % | - |"))
    }
}
