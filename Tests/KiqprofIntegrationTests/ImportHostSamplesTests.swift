import Foundation
import Testing
import KiqprofCore

/// Host-sample imports: real `sadf -j` output made by sysstat here, and CloudWatch and Prometheus documents
/// in the exact shapes their tools print (peers.md §C).
@Suite("import host samples")
struct ImportHostSamplesTests {
    let directory: URL
    let db: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-hosts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        db = directory.appendingPathComponent("k.sqlite").path
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func samples() throws -> [HostSample] {
        let store = try Store(path: db)
        return try store.hostSamples()
    }

    @Test("a binary sa file written by sysstat's sadc, through sadf -j")
    func sarFromRealSysstat() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/lib/sysstat/sadc") else {
            throw TestSetupError("sysstat is not installed: run `make test`, which installs it")
        }
        let sa = directory.appendingPathComponent("sa26").path
        // sadc waits for SIGALRM between records; the test runner's children inherit blocked signals, so
        // start it through a shell-free Python exec that clears the signal mask first.
        let sadc = Process()
        sadc.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        sadc.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1],"
            + " sys.argv[1:])",
                          "/usr/lib/sysstat/sadc", "-S", "XALL", "1", "3", sa]
        try sadc.run()
        sadc.waitUntilExit()
        let result = try Kiqprof.run(["import", "sar", sa, "--db", db, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try result.json()["samples_added"] as? Int == 2)
        let rows = try samples()
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.source == .sar && $0.host == ProcHostSampler.hostName() && $0.cpuIdlePct != nil && $0.memAvailableKiB
            ?? 0 > 0 && $0.load1 != nil })
        #expect(rows.allSatisfy { $0.cpuIowaitPct != nil && $0.swapTotalKiB != nil })
        // The same file again adds nothing.
        #expect(try Kiqprof.run(["import", "sar", sa, "--db", db, "--json"]).json()["already_imported"] as? Bool == true)
    }

    @Test("sar's LINUX RESTART record is a reboot that incident reports")
    func sarRestartIsAReboot() throws {
        let sa = directory.appendingPathComponent("sa27").path
        func sadc(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1],"
                + " sys.argv[1:])", "/usr/lib/sysstat/sadc"] + arguments
            try process.run()
            process.waitUntilExit()
        }
        try sadc(["1", "2", sa])
        try sadc([sa])  // no interval: sadc writes the LINUX RESTART record a boot writes
        try sadc(["1", "2", sa])
        let result = try Kiqprof.run(["import", "sar", sa, "--db", db, "--host", "vm", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try result.json()["boots_added"] as? Int == 1)
        let incident = try Kiqprof.run(["incident", "--db", db, "--last", "1h"])
        #expect(incident.stdout.contains("the host vm rebooted at"), "\(incident.stdout)")
    }

    @Test("sadf -j JSON with tz UTC, PSI and -u ALL keys")
    func sarJSON() throws {
        let path = try write("sar.json", """
            {"sysstat": {"hosts": [{"nodename": "worker-1", "number-of-cpus": 2, "statistics": [
              {"timestamp": {"date": "2026-11-24", "time": "14:10:01", "tz": "UTC", "interval": 600},
               "cpu-load": [{"cpu": "all", "usr": 61.20, "nice": 0.50, "sys": 7.45, "iowait": 0.31, "steal": 0.02, "irq": 0.1, "soft":\
             0.2, "idle": 30.22}],
               "memory": {"memfree": 412332, "avail": 1803344, "memused": 14523668, "memused-percent": 88.95},
               "queue": {"runq-sz": 9, "ldavg-1": 8.75, "ldavg-5": 6.10, "ldavg-15": 4.02},
               "psi": {"psi-cpu": {"some_avg10": 23.5}, "psi-io": {"some_avg10": 1.0, "full_avg10": 0.5}, "psi-mem": {"some_avg10": 7.0,\
             "full_avg10": 6.0}}}
            ]}]}}
            """)
        #expect(try Kiqprof.run(["import", "sar", path, "--db", db]).status == 0)
        let sample = try #require(try samples().first)
        #expect(sample.t == TimeExpression.parseISO("2026-11-24T14:10:01Z"))
        #expect(sample.host == "worker-1")
        #expect(abs(sample.cpuUserPct! - 61.7) < 1e-9 && abs(sample.cpuSystemPct! - 7.75) < 1e-9)
        #expect(sample.memTotalKiB == 1803344 + 14523668 && sample.memAvailableKiB == 1803344)
        #expect(sample.psiCPUSomeAvg10 == 23.5 && sample.psiMemoryFullAvg10 == 6.0)
    }

    @Test("CloudWatch: unsorted datapoints with local offsets, and get-metric-data merged by instant")
    func cloudWatch() throws {
        let statistics = try write("cpu.json", """
            {"Datapoints": [
                {"Timestamp": "2026-11-24T16:12:00+02:00", "Average": 97.5, "Unit": "Percent"},
                {"Timestamp": "2026-11-24T14:10:00Z", "Average": 12.25, "Unit": "Percent"},
                {"Timestamp": "2026-11-24T14:11:00Z", "Maximum": 88.0, "Unit": "Percent"}
            ], "Label": "CPUUtilization"}
            """)
        let result = try Kiqprof.run(["import", "cloudwatch", statistics, "--db", db, "--host", "mastodon-vm"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        var rows = try samples()
        #expect(rows.map(\.t) == ["2026-11-24T14:10:00Z", "2026-11-24T14:11:00Z",
            "2026-11-24T14:12:00Z"].map { TimeExpression.parseISO($0)! })
        #expect(rows.map(\.cpuBusyPct) == [12.25, 88.0, 97.5])
        #expect(rows.allSatisfy { $0.host == "mastodon-vm" && $0.source == .cloudwatch })

        let data = try write("data.json", """
            {"MetricDataResults": [
              {"Id": "mem", "Label": "mem_used_percent", "Timestamps": ["2026-11-24T15:05:00+00:00", "2026-11-24T15:00:00+00:00"],\
             "Values": [91.2, 63.0], "StatusCode": "Complete"},
              {"Id": "credits", "Label": "CPUCreditBalance", "Timestamps": ["2026-11-24T15:05:00+00:00"], "Values": [0.0], "StatusCode":\
             "Complete"},
              {"Id": "x", "Label": "NetworkIn", "Timestamps": ["2026-11-24T15:05:00+00:00"], "Values": [1.0], "StatusCode": "Complete"}
            ], "Messages": []}
            """)
        let merged = try Kiqprof.run(["import", "cloudwatch", data, "--db", db, "--host", "mastodon-vm", "--json"])
        #expect(try merged.json()["samples_added"] as? Int == 2)
        #expect((try merged.json()["examples"] as? [String])?.contains { $0.contains("NetworkIn") } == true)
        rows = try samples().filter { $0.t >= TimeExpression.parseISO("2026-11-24T15:00:00Z")! }
        #expect(rows.map(\.memUsedPct) == [63.0, 91.2])
        #expect(rows.last?.cpuCreditBalance == 0)
    }

    @Test("Prometheus range query of node_exporter counters and gauges")
    func prometheus() throws {
        let path = try write("prom.json", """
            {"status": "success", "data": {"resultType": "matrix", "result": [
              {"metric": {"__name__": "node_cpu_seconds_total", "cpu": "0", "mode": "idle", "instance": "worker-1:9100"}, "values":\
             [[1795700000, "100"], [1795700015, "101.5"]]},
              {"metric": {"__name__": "node_cpu_seconds_total", "cpu": "0", "mode": "user", "instance": "worker-1:9100"}, "values":\
             [[1795700000, "50"], [1795700015, "63.5"]]},
              {"metric": {"__name__": "node_memory_MemTotal_bytes", "instance": "worker-1:9100"}, "values": [[1795700015, "2147483648"]]},
              {"metric": {"__name__": "node_memory_MemAvailable_bytes", "instance": "worker-1:9100"}, "values": [[1795700015,\
             "107374182.4"]]},
              {"metric": {"__name__": "node_load1", "instance": "worker-1:9100"}, "values": [[1795700015, "3.5"]]},
              {"metric": {"__name__": "node_pressure_cpu_waiting_seconds_total", "instance": "worker-1:9100"}, "values": [[1795700000,\
             "10"], [1795700015, "13"]]}
            ]}}
            """)
        let result = try Kiqprof.run(["import", "prometheus", path, "--db", db])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let rows = try samples()
        let last = try #require(rows.first { $0.t == 1795700015 })
        #expect(last.host == "worker-1")
        #expect(abs(last.cpuUserPct! - 90) < 1e-9 && abs(last.cpuIdlePct! - 10) < 1e-9)
        #expect(last.memTotalKiB == 2097152 && last.memAvailableKiB == 104857)
        #expect(last.load1 == 3.5)
        #expect(abs(last.psiCPUSomeAvg10! - 20) < 1e-9)
    }

    @Test("CSV rows, and a second source never double-counts an instant")
    func csvAndSourceOverlap() throws {
        let path = try write("metrics.csv", """
            timestamp,metric,value,host
            2026-11-24T14:10:00Z,cpu_busy_pct,97,vm
            2026-11-24T14:10:00Z,mem_available_kib,51200,vm
            2026-11-24T14:10:00Z,mem_total_kib,2048000,vm
            2026-11-24T14:11:00Z,cpu_busy_pct,not-a-number,vm
            2026-11-24T14:12:00Z,fan_speed,3000,vm
            """)
        let result = try Kiqprof.run(["import", "csv", path, "--db", db, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try result.json()
        #expect(summary["samples_added"] as? Int == 1)
        #expect(summary["not_understood"] as? Int == 2)
        #expect((summary["examples"] as? [String])?.first == "\(path):5: 'not-a-number' is not a number")
        let sample = try #require(try samples().first)
        #expect(sample.cpuBusyPct == 97 && abs(sample.memUsedPct! - 97.5) < 1e-9)

        // CloudWatch for the same host and instant: skipped, the CSV sample stays the only one.
        let overlap = try write("cw.json", """
            {"Datapoints": [{"Timestamp": "2026-11-24T14:10:00Z", "Average": 50.0}, {"Timestamp": "2026-11-24T14:20:00Z", "Average":\
             40.0}], "Label": "CPUUtilization"}
            """)
        let second = try Kiqprof.run(["import", "cloudwatch", overlap, "--db", db, "--host", "vm", "--json"]).json()
        #expect(second["samples_added"] as? Int == 1)
        #expect(second["duplicates_skipped"] as? Int == 1)
        #expect(try samples().filter { $0.t == TimeExpression.parseISO("2026-11-24T14:10:00Z") }.count == 1)
    }

    @Test("a cut-off or garbled export is refused with its byte offset and writes nothing")
    func brokenDocuments() throws {
        let truncated = try write("cut.json", #"{"Datapoints": [{"Timestamp": "2026-11-24T14:10:00Z", "Average": 12.25}, {"Timest"#)
        let result = try Kiqprof.run(["import", "cloudwatch", truncated, "--db", db])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cut.json (byte "))
        #expect(result.stderr.contains("cut off"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        let garbled = try write("bad.json", #"{"sysstat": {"hosts": [}}"#)
        let sar = try Kiqprof.run(["import", "sar", garbled, "--db", db])
        #expect(sar.status == 1 && sar.stderr.contains("bad.json (byte 23): invalid JSON: expected a JSON value"))
        let wrongShape = try write("shape.json", #"{"hello": 1}"#)
        #expect(try Kiqprof.run(["import", "prometheus", wrongShape, "--db", db]).stderr.contains("expected data.result"))
        #expect(try Store(path: db).counts()["host_sample"] == 0)
    }
}
