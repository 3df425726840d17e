import Foundation
import Testing
import KiqprofCore

/// `kiqprof record` beside real Sidekiq 6.4.1 processes: recorded runs match the jobs' own log lines,
/// failures are marked, and the CPU of the process running the CPU-bound job rises while it runs.
/// Serialized: it measures CPU, so it must not share the machine with other suites' work.
@Suite("record with real Sidekiq", .serialized)
struct RealSidekiqRecordTests {
    @Test(.timeLimit(.minutes(3)))
    func recordedRunsMatchSidekiqsLog() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let db = redis.directory.appendingPathComponent("k.sqlite").path
        let recording = try Kiqprof.start(["record", "--redis", redis.unixURL, "--db", db, "--interval", "1s", "--flush", "2s"])
        let workers = [try RealSidekiq(redis: redis, concurrency: 2, name: "sidekiq-a"), try RealSidekiq(redis: redis, concurrency: 2,
            name: "sidekiq-b")]
        defer { workers.forEach { $0.stop() } }

        // Wait for both heartbeats, then give the recorder a few idle CPU samples as a baseline.
        guard try RealSidekiq.waitForProcesses(2, redis: redis) else {
            Issue.record("both sidekiq processes should beat within 30 s")
            return
        }
        Thread.sleep(forTimeInterval: 6)
        let jids = try RealSidekiq.pushJobs(redis: redis)
        #expect(jids.count == 4)

        // Wait for the four long jobs to end in the logs, then one 6.x heartbeat (5 s) plus the interval.
        var logged: [String: (start: Double, end: Double?, outcome: String?)] = [:]
        let end = Date().addingTimeInterval(60)
        repeat {
            Thread.sleep(forTimeInterval: 1)
            logged = try workers.reduce(into: [:]) { all, worker in all.merge(try worker.loggedRuns()) { a, _ in a } }
        } while Date() < end && jids.values.contains { logged[$0]?.end == nil }
        Thread.sleep(forTimeInterval: 7)
        recording.0.terminate()
        let result = Kiqprof.finish(recording)
        #expect(result.status == 0, "stderr: \(result.stderr)")

        let store = try Store(path: db)
        let runs = try store.runs()
        for (jobClass, jid) in jids {
            let log = try #require(logged[jid], "\(jobClass) \(jid) is in the Sidekiq log")
            let run = try #require(runs.first { $0.jid == jid }, "\(jobClass) was recorded")
            #expect(run.jobClass == jobClass)
            #expect(abs(run.start - log.start) <= 1, "\(jobClass): recorded start \(run.start) vs logged \(log.start)")
            let loggedEnd = try #require(log.end)
            let recordedEnd = try #require(run.end.estimate)
            #expect(abs(recordedEnd - loggedEnd) <= 5 + 1, "\(jobClass): recorded end \(recordedEnd) vs logged \(loggedEnd)")
            #expect(run.end.earliest! - 1 <= loggedEnd && loggedEnd <= run.end.latest! + 1,
                    "\(jobClass): the logged end lies in [end_min, end_max]")
            if log.outcome == "fail" {
                #expect(run.outcome == .failed, "\(jobClass) failed")
            } else {
                // The failed counter moves for the other jobs' failures; those, found in retry/dead, explain it.
                #expect(run.outcome == .ok, "\(jobClass) succeeded, recorded \(run.outcome)")
            }
        }
        #expect(runs.first { $0.jid == jids["SlowFailJob"] }?.errorClass == "IOError")
        #expect(runs.first { $0.jid == jids["SlowPoisonJob"] }?.errorClass == "ArgumentError")

        // The process that ran the CPU burn: its CPU while the job ran against before it was pushed.
        let burn = try #require(runs.first { $0.jid == jids["CpuBurnJob"] })
        let usage = try store.processUsage(identity: try #require(burn.identity))
        let before = usage.filter { $0.t < burn.start - 1 }.compactMap(\.cpuPct)
        let during = usage.filter { $0.t > burn.start + 2 && $0.t < burn.end.earliest! }.compactMap(\.cpuPct)
        let usageText = "\(usage.map { ($0.t, $0.cpuPct) })"
        #expect(before.count >= 2 && during.count >= 5,
            "samples before \(before.count), during \(during.count); start \(burn.start) end_min \(burn.end.earliest!); usage \(usageText)")
        let mean = { (values: [Double]) in values.reduce(0, +) / Double(max(values.count, 1)) }
        // A busy loop takes a whole core on an idle 2-core machine; leave room for a loaded one.
        #expect(mean(during) >= 30, "CPU while burning: \(during)")
        #expect(mean(during) >= mean(before) + 25, "CPU before \(before) vs during \(during)")
    }
}
