import Foundation
import Testing
import KiqprofCore

/// End to end: real Sidekiq 6.4.1 with Debian's sidekiq-cron 1.8.0 fires `trends_refresh_scheduler` and
/// `remote_feed_poll` every 2 s (samples/reproduce, cron poll every ~1 s). `toggle disable` without --apply
/// must change nothing, and the job keeps being enqueued; with --apply the real cron poller must stop
/// enqueuing that job from its next tick while still enqueuing the other one; `enable --apply` brings it back.
/// Serialized and in the Makefile's CPU_SUITES: its assertions are about timing, so it runs alone.
@Suite("toggle against real Sidekiq and sidekiq-cron", .serialized)
struct RealSidekiqToggleTests {
    static let period = 2.0
    static let toggled = "remote_feed_poll"
    static let toggledClass = "RemoteFeedPollJob"
    static let otherClass = "Scheduler::Trends::RefreshScheduler"
    static let key = "cron_job:remote_feed_poll"
    /// The cron poller sleeps 0.5–1.5 s between polls (Sidekiq 6.4's ±50 % around cron_poll_interval 1).
    static let pollInterval = 1.5
    /// Periods watched after disable --apply.
    static let observedTicks = 4.0

    @Test(.timeLimit(.minutes(3)))
    func disablingStopsTheRealCronPollerFromEnqueuingTheJob() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let environment = ["KIQ_PERIOD": String(Int(Self.period)), "KIQ_HOG_SECONDS": "0.2", "KIQ_HOG_MB": "40", "KIQ_SLEEP_SECONDS": "0.2"]
        let sidekiq = try RealSidekiq(redis: redis, concurrency: 5, name: "sidekiq", app: RealSidekiq.reproductionDirectory,
                                      queues: ["scheduler", "default"], environment: environment)
        defer { sidekiq.stop() }
        let connection = ["--redis", redis.unixURL]
        func status() throws -> String { try redis.cli("HGET", Self.key, "status").trimmingCharacters(in: .whitespacesAndNewlines) }
        func lastEnqueue() throws -> String {
            try redis.cli("HGET", Self.key, "last_enqueue_time").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func starts(_ jobClass: String, after time: Double) throws -> [Double] {
            try Self.starts(in: sidekiq.logPath).filter { $0.jobClass == jobClass && $0.time > time }.map(\.time)
        }
        func log() -> String { String(((try? String(contentsOfFile: sidekiq.logPath, encoding: .utf8)) ?? "").suffix(1500)) }

        // 1. Sidekiq boots, its pollers wait 10–15 s, then both jobs run every period.
        let booted = Date().timeIntervalSince1970
        let warm = try Self.waitUntil(timeout: 40) {
            try starts(Self.toggledClass, after: 0).count >= 2 && starts(Self.otherClass, after: 0).count >= 2
        }
        try #require(warm, "both cron jobs should run twice; Sidekiq log:\n\(log())")
        print("RealSidekiqToggleTests: both jobs ran twice \(Self.seconds(Date().timeIntervalSince1970 - booted)) after start")
        #expect(try status() == "enabled")

        // 2. A dry run changes nothing: the status stays enabled and the job keeps being enqueued.
        let dryRunAt = Date().timeIntervalSince1970
        let enqueueBeforeDryRun = try lastEnqueue()
        let dryRun = try Kiqprof.run(["toggle", "disable", Self.toggled, "--json"] + connection)
        #expect(dryRun.status == 0, "stderr: \(dryRun.stderr)")
        let dryJSON = try dryRun.json()
        #expect(dryJSON["status"] as? String == "dry_run")
        #expect(dryJSON["applied"] as? Bool == false)
        #expect(dryJSON["scheduler"] as? String == "sidekiq-cron")
        #expect(dryJSON["key"] as? String == Self.key)
        #expect(dryJSON["command"] as? [String] == ["HSET", Self.key, "status", "disabled"])
        #expect(try status() == "enabled")
        let keptRunning = try Self.waitUntil(timeout: 3 * Self.period + Self.pollInterval + 1) {
            try starts(Self.toggledClass, after: dryRunAt).count >= 2
        }
        #expect(keptRunning, "after a dry run \(Self.toggledClass) should keep running; Sidekiq log:\n\(log())")
        #expect(try lastEnqueue() != enqueueBeforeDryRun, "last_enqueue_time should advance after a dry run")
        #expect(try status() == "enabled")

        // 3. --apply: the next cron poll skips the job; the other job proves the poller is still ticking.
        let appliedAt = Date().timeIntervalSince1970
        let disable = try Kiqprof.run(["toggle", "disable", Self.toggled, "--apply", "--json"] + connection)
        #expect(disable.status == 0, "stderr: \(disable.stderr)")
        let disableJSON = try disable.json()
        #expect(disableJSON["status"] as? String == "applied")
        #expect(disableJSON["after"] as? String == "disabled")
        #expect(try status() == "disabled")
        // Grace of one tick: a poll that read the job just before the HSET may still enqueue it once.
        Thread.sleep(forTimeInterval: Self.pollInterval + Self.period)
        let observedFrom = Date().timeIntervalSince1970
        let enqueueAtObservation = try lastEnqueue()
        let toggledBefore = try starts(Self.toggledClass, after: 0)
        // Four ticks: sidekiq-cron 1.8 skips one now and then (its poller once went 4 s without enqueuing), and
        // two of the other job's starts still prove the poller ran through the window.
        Thread.sleep(forTimeInterval: Self.observedTicks * Self.period)
        let toggledDuring = try starts(Self.toggledClass, after: observedFrom)
        let otherDuring = try starts(Self.otherClass, after: observedFrom)
        #expect(toggledDuring.isEmpty, "\(Self.toggledClass) started \(toggledDuring.count)× after disable --apply; Sidekiq log:\n\(log())")
        #expect(try lastEnqueue() == enqueueAtObservation, "last_enqueue_time advanced after disable --apply")
        #expect(otherDuring.count >= 2, "\(Self.otherClass) should keep running (\(otherDuring.count) starts); Sidekiq log:\n\(log())")
        #expect(try status() == "disabled")
        if let last = toggledBefore.last {
            let firstSkippedTick = try starts(Self.otherClass, after: max(last, appliedAt)).first
            print("RealSidekiqToggleTests: last \(Self.toggledClass) start \(Self.seconds(last - appliedAt)) relative to --apply; "
                + "first tick without it \(firstSkippedTick.map { Self.seconds($0 - appliedAt) } ?? "?") after --apply; "
                + "\(otherDuring.count) \(Self.otherClass) starts and 0 \(Self.toggledClass) starts in the"
                    + " \(Self.seconds(Self.observedTicks * Self.period)) window")
        }

        // 4. enable --apply: the job is enqueued again within a few periods.
        let enabledAt = Date().timeIntervalSince1970
        let enable = try Kiqprof.run(["toggle", "enable", Self.toggled, "--apply", "--json"] + connection)
        #expect(enable.status == 0, "stderr: \(enable.stderr)")
        #expect(try enable.json()["after"] as? String == "enabled")
        #expect(try status() == "enabled")
        let resumed = try Self.waitUntil(timeout: 3 * Self.period + Self.pollInterval + 1) {
            try !starts(Self.toggledClass, after: enabledAt).isEmpty
        }
        #expect(resumed, "\(Self.toggledClass) should run again after enable --apply; Sidekiq log:\n\(log())")
        if let first = try starts(Self.toggledClass, after: enabledAt).first {
            print("RealSidekiqToggleTests: \(Self.toggledClass) started again \(Self.seconds(first - enabledAt)) after enable --apply")
        }
        #expect(try lastEnqueue() != enqueueAtObservation)
    }

    /// Job starts in Sidekiq 6.x's text log, oldest first.
    static func starts(in logPath: String) throws -> [(jobClass: String, time: Double)] {
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        let pattern = /^(\S+Z) pid=\d+ tid=\S+ class=(\S+) jid=\S+ INFO: start$/
        return text.split(separator: "\n").compactMap { line in
            guard let match = try? pattern.wholeMatch(in: line), let time = TimeExpression.parseISO(String(match.1)) else { return nil }
            return (String(match.2), time)
        }
    }

    /// Polls `condition` every 0.1 s; false when `timeout` seconds pass first.
    static func waitUntil(timeout: Double, _ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }
}
