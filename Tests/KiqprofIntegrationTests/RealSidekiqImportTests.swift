import Foundation
import Testing
import KiqprofCore

/// End to end on the import path, nothing recorded: real Sidekiq 6.4.1 (`-c 5`) with sidekiq-cron 1.8.0 at its
/// own 30 s poll runs a CPU+memory hog every minute (plain Ruby, so it holds the GVL), a long sleeper that fires
/// with it, and a steady stream of small CPU jobs; sysstat's sadc samples the host every second. Only the
/// Sidekiq log and `sadf -j` are imported into a fresh store, and `incident --json` must rank the hog first as
/// periodic, leave the stream non-periodic, and give the sleeper almost none of the hog's CPU.
/// Serialized: it measures CPU, so it runs alone (see CPU_SUITES in the Makefile).
///
/// KIQPROF_KEEP_ARTIFACTS=DIR copies the log, sar.json, the store, the incident JSON and NOTES.txt to DIR.
@Suite("incident on an imported log and sar file of real Sidekiq", .serialized)
struct RealSidekiqImportTests {
    static let hogClass = "Scheduler::Trends::RefreshScheduler"
    static let sleeperClass = "RemoteFeedPollJob"
    static let streamClass = "FeedInsertJob"
    static let cron = "* * * * *"
    static let hogCPUSeconds = 12
    static let hogMB = 400
    static let sleepSeconds = 25
    static let streamRate = 5
    static let streamCPUms = 50
    static let concurrency = 5
    /// From Sidekiq's start until the cron jobs are switched off; then the running jobs finish.
    static let duration = 300.0
    static let drainLimit = 35.0
    /// Sidekiq boots at this second of a minute or later: sidekiq-cron skips the minute it starts in, so
    /// the first firing comes within a poll of the next minute and five minutes hold five firings.
    static let bootSecond = 46.0
    static let sadc = "/usr/lib/sysstat/sadc"
    static let sadf = "/usr/bin/sadf"

    @Test(.timeLimit(.minutes(7)))
    func theHogIsFoundInTheLogAndSarAlone() throws {
        let began = Date(), loadAtStart = Self.loadAverage()
        for tool in [Self.sadc, Self.sadf] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestSetupError("\(tool) is missing: run `make test`, which installs sysstat")
        }
        let redis = try RedisServer()
        defer { redis.stop() }
        let work = redis.directory
        defer { Self.keepArtifacts(from: work) }
        let sa = work.appendingPathComponent("sa.bin").path
        let sar = work.appendingPathComponent("sar.json").path
        let db = work.appendingPathComponent("kiqprof.sqlite").path

        // sadc first, so the host has a baseline before Sidekiq boots.
        let sampler = try Self.startSadc(file: sa, count: Int(Self.bootSecond + Self.duration + Self.drainLimit) + 60)
        defer { if sampler.isRunning { sampler.terminate(); sampler.waitUntilExit() } }
        let second = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
        if second < Self.bootSecond { Thread.sleep(forTimeInterval: Self.bootSecond - second) }

        let environment = [
            "KIQ_CRON": Self.cron, "KIQ_CRON_POLL": "default", "KIQ_HOG_RUBY": "1", "KIQ_HOG_SECONDS": String(Self.hogCPUSeconds),
            "KIQ_HOG_MB": String(Self.hogMB), "KIQ_SLEEP_SECONDS": String(Self.sleepSeconds), "TZ": "UTC",
            "KIQ_STREAM_RATE": String(Self.streamRate), "KIQ_STREAM_CPU_MS": String(Self.streamCPUms),
            "KIQ_STREAM_SECONDS": String(Int(Self.duration)),
        ]
        let booted = Date()
        let sidekiq = try RealSidekiq(redis: redis, concurrency: Self.concurrency, name: "sidekiq", app: RealSidekiq.reproductionDirectory,
                                      queues: ["scheduler", "default"], environment: environment)
        defer { sidekiq.stop() }
        let stream = try RealSidekiq.runScript("stream.rb", in: RealSidekiq.reproductionDirectory, redis: redis, environment: environment)
        defer { if stream.isRunning { stream.terminate() } }

        Thread.sleep(until: booted.addingTimeInterval(Self.duration))
        // No new firing from here on; the runs under way finish, so every run in the log is closed.
        for name in ["trends_refresh_scheduler", "remote_feed_poll"] {
            try redis.cli("HSET", "cron_job:\(name)", "status", "disabled")
        }
        let drainDeadline = Date().addingTimeInterval(Self.drainLimit)
        var quiet = 0
        while Date() < drainDeadline, quiet < 2 {
            Thread.sleep(forTimeInterval: 1)
            let queued = try ["queue:scheduler", "queue:default"].map { Int(try redis.cli("LLEN",
                $0).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }
            let open = try SidekiqLog(path: sidekiq.logPath).openRuns
            quiet = !stream.isRunning && queued.allSatisfy { $0 == 0 } && open == 0 ? quiet + 1 : 0
        }
        let stopped = Date()
        sidekiq.stop()
        Thread.sleep(forTimeInterval: 2)
        sampler.terminate()
        sampler.waitUntilExit()
        try Self.runSadf(sa, into: sar)

        let log = try SidekiqLog(path: sidekiq.logPath)
        try Self.writeNotes(log: log, into: work, booted: booted, stopped: stopped, loadAtStart: loadAtStart)
        #expect(log.openRuns == 0, "every run in the log ended")
        #expect(log.starts[Self.hogClass, default: []].count >= 4, "the hog fired every minute: \(log.starts[Self.hogClass, default: []])")

        // The log imports whole: every line understood, every done/fail line a run of its class.
        let importedLog = try Kiqprof.run(["import", "sidekiq-log", sidekiq.logPath, "--db", db, "--json"])
        try importedLog.stdout.write(to: work.appendingPathComponent("import-log.json"), atomically: true, encoding: .utf8)
        #expect(importedLog.status == 0, "stderr: \(importedLog.stderr)")
        let logSummary = try importedLog.json()
        #expect(logSummary["not_understood"] as? Int == 0, "\(logSummary["examples"] ?? "")")
        #expect(logSummary["open_runs"] as? Int == 0)
        let stored = Dictionary(grouping: try Store(path: db).runs(), by: \.jobClass).mapValues(\.count)
        #expect(stored == log.finished, "runs per class in the store against the log's done/fail lines")

        let importedSar = try Kiqprof.run(["import", "sar", sar, "--db", db, "--json"])
        try importedSar.stdout.write(to: work.appendingPathComponent("import-sar.json"), atomically: true, encoding: .utf8)
        #expect(importedSar.status == 0, "stderr: \(importedSar.stderr)")
        let sampled = try importedSar.json()["samples_added"] as? Int ?? 0
        #expect(Double(sampled) >= 0.9 * stopped.timeIntervalSince(booted), "one host sample a second")

        let result = try Kiqprof.run(["incident", "--db", db, "--json"])
        try result.stdout.write(to: work.appendingPathComponent("incident.json"), atomically: true, encoding: .utf8)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try result.json()
        let suspects = try #require(report["suspects"] as? [[String: Any]])
        let summary: [String] = suspects.prefix(4).map(Self.describe)
        print("incident on an imported log and sar of real Sidekiq (\(Int(Date().timeIntervalSince(began))) s):"
            + " \(summary.joined(separator: " | "))")

        let hog = try #require(suspects.first { $0["class"] as? String == Self.hogClass }, "the hog was imported")
        let sleeper = try #require(suspects.first { $0["class"] as? String == Self.sleeperClass }, "the sleeper was imported")
        let streamed = try #require(suspects.first { $0["class"] as? String == Self.streamClass }, "the stream was imported")
        #expect(hog["rank"] as? Int == 1, "ranking: \(summary)")
        #expect(hog["periodic"] as? Bool == true, "the hog fires every minute (at sidekiq-cron's 15-45 s poll): \(summary)")
        #expect(streamed["periodic"] as? Bool == false, "the stream has random gaps: \(summary)")
        let hogCPU = try #require(hog["cpu_attrib_pp"] as? Double, "hog CPU attribution: \(summary)")
        let sleeperCPU = sleeper["cpu_attrib_pp"] as? Double ?? 0
        #expect(sleeperCPU <= 0.2 * hogCPU, "the sleeper only waits beside the hog: \(summary)")
    }

    // MARK: - Support

    /// sadc waits for SIGALRM between records, and the test runner's children inherit blocked signals:
    /// start it through a Python exec that clears the mask first (as ImportHostSamplesTests does).
    static func startSadc(file: String, count: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1],"
            + " sys.argv[1:])",
                             sadc, "-S", "XALL", "1", String(count), file]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `sadf -j FILE -- -u -r -S -q ALL`, as samples/reproduce/reproduce.sh writes sar.json.
    static func runSadf(_ file: String, into json: String) throws {
        guard FileManager.default.createFile(atPath: json, contents: nil) else { throw TestSetupError("cannot write \(json)") }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: json))
        defer { try? out.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sadf)
        process.arguments = ["-j", file, "--", "-u", "-r", "-S", "-q", "ALL"]
        process.environment = ProcessInfo.processInfo.environment.merging(["TZ": "UTC"]) { $1 }
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("sadf -j \(file) exited \(process.terminationStatus)") }
    }

    static func keepArtifacts(from work: URL) {
        guard let target = ProcessInfo.processInfo.environment["KIQPROF_KEEP_ARTIFACTS"], !target.isEmpty else { return }
        let manager = FileManager.default
        try? manager.createDirectory(atPath: target, withIntermediateDirectories: true)
        for name in ["sidekiq.log", "sar.json", "sa.bin", "kiqprof.sqlite", "import-log.json", "import-sar.json", "incident.json",
            "NOTES.txt"] {
            let from = work.appendingPathComponent(name), to = URL(fileURLWithPath: target).appendingPathComponent(name)
            guard manager.fileExists(atPath: from.path) else { continue }
            try? manager.removeItem(at: to)
            try? manager.copyItem(at: from, to: to)
        }
        print("artifacts kept in \(target)")
    }

    /// One suspect on one line: rank, class, score, periodic, period_s, cpu_attrib_pp, mem_attrib_mb.
    static func describe(_ suspect: [String: Any]) -> String {
        let keys = ["rank", "class", "score", "periodic", "period_s", "cpu_attrib_pp", "mem_attrib_mb"]
        let parts: [String] = keys.map { (key: String) -> String in
            let value: Any? = suspect[key]
            if key == "periodic" { return "periodic=" + ((value as? Bool).map { String($0) } ?? "?") }
            if value == nil || value is NSNull { return key + "=null" }
            return key + "=" + String(describing: value!)
        }
        return parts.joined(separator: " ")
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// The parameters and what the log shows, for whoever studies the kept artifacts.
    static func writeNotes(log: SidekiqLog, into work: URL, booted: Date, stopped: Date, loadAtStart: String) throws {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func time(_ t: Double) -> String { iso.string(from: Date(timeIntervalSince1970: t)) }
        func f(_ x: Double) -> String { String(format: "%.2f", x) }
        let hogStarts = log.starts[hogClass, default: []]
        let intervals = zip(hogStarts.dropFirst(), hogStarts).map { $0 - $1 }
        let hogRuns = log.runs.filter { $0.jobClass == hogClass }
        let streamRuns = log.runs.filter { $0.jobClass == streamClass }
        let beside = streamRuns.filter { run in hogRuns.contains { run.start < $0.end && run.end > $0.start } }.map(\.elapsed)
        let alone = streamRuns.filter { run in !hogRuns.contains { run.start < $0.end && run.end > $0.start } }.map(\.elapsed)
        func quantiles(_ values: [Double]) -> String {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return "none" }
            return "n=\(sorted.count) p50=\(f(sorted[sorted.count / 2]))s p95=\(f(sorted[min(sorted.count - 1, sorted.count * 95 / 100)]))s"
        }
        var notes = """
            kiqprof real-Sidekiq import-path scenario (Tests/KiqprofIntegrationTests/RealSidekiqImportTests.swift)
            Nothing recorded by kiqprof: only the Sidekiq log and sadc/sadf -j were imported into a fresh store.

            host: ncpu=\(ProcessInfo.processInfo.activeProcessorCount), memory=\(ProcessInfo.processInfo.physicalMemory / 1_048_576) MB
            Sidekiq 6.4.1 (-c \(concurrency), queues scheduler then default), sidekiq-cron 1.8.0 at its default poll (30 s: each wait
              drawn between 15 and 45 s), both periodic jobs on cron "\(cron)" (they fire at the same polls)
            \(hogClass): \(hogCPUSeconds) s of its own thread's CPU per run in plain Ruby (holds the GVL), holding \(hogMB) MB
              (\(hogMB / 40) strings of 40 MB) while it runs
            \(sleeperClass): sleeps \(sleepSeconds) s per run, no CPU
            \(streamClass): \(streamCPUms) ms of plain-Ruby CPU per job, pushed at \(streamRate)/s on average with random
              (exponential) gaps by samples/reproduce/stream.rb
            sadc: /usr/lib/sysstat/sadc -S XALL 1 N (from before Sidekiq's boot); sar.json = sadf -j sa.bin -- -u -r -S -q ALL
            load average (1, 5, 15 min) before the test started: \(loadAtStart); at its end: \(loadAverage())
              (other builds or tests on this host show here; this test's own load is about 1.3 while a hog runs)
            Sidekiq booted \(time(booted.timeIntervalSince1970)) (second \(Int(booted.timeIntervalSince1970) % 60) of its minute);
              cron switched off after \(Int(duration)) s; the last run ended and Sidekiq stopped \(time(stopped.timeIntervalSince1970))

            \(hogClass) starts (from the log), elapsed:

            """
        for run in hogRuns { notes += "  \(time(run.start))  elapsed \(f(run.elapsed)) s\n" }
        notes += "  intervals between starts: \(intervals.map { f($0) }.joined(separator: ", ")) s\n"
        notes += "\(sleeperClass) starts: \(log.starts[sleeperClass, default: []].map(time).joined(separator: ", "))\n"
        notes += "runs per class (done/fail lines):"
            + " \(log.finished.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))\n"
        notes += "\(streamClass) elapsed while a hog ran: \(quantiles(beside)); otherwise: \(quantiles(alone))\n"
        try notes.write(to: work.appendingPathComponent("NOTES.txt"), atomically: true, encoding: .utf8)
    }
}

/// The job lines of Sidekiq 6.x's text log, by class.
struct SidekiqLog {
    struct Run { let jobClass: String; let start: Double; let end: Double; let elapsed: Double }
    /// Start times per class, ascending.
    var starts: [String: [Double]] = [:]
    /// done and fail lines per class.
    var finished: [String: Int] = [:]
    var runs: [Run] = []
    var openRuns = 0

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let pattern = /^(\S+Z) pid=\d+ tid=\S+ class=(\S+) jid=(\S+)(?: elapsed=(\S+))? INFO: (start|done|fail)$/
        var open: [String: (jobClass: String, start: Double)] = [:]
        for line in text.split(separator: "\n") {
            guard let match = try pattern.wholeMatch(in: line), let time = TimeExpression.parseISO(String(match.1)) else { continue }
            let jobClass = String(match.2), jid = String(match.3)
            if match.5 == "start" {
                starts[jobClass, default: []].append(time)
                open[jid] = (jobClass, time)
            } else {
                finished[jobClass, default: 0] += 1
                if let started = open.removeValue(forKey: jid) {
                    runs.append(Run(jobClass: jobClass, start: started.start, end: time, elapsed: match.4.flatMap { Double($0) }
                        ?? time - started.start))
                }
            }
        }
        openRuns = open.count
    }
}
