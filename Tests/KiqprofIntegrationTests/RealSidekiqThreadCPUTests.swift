import Foundation
import Testing
import KiqprofCore

/// Per-run CPU measured from the kernel's thread accounting, beside two real Sidekiq 6.4.1 processes at -c 5
/// running samples/threadcpu-app: hogs, victims the hogs slow through the GVL, a stream of small CPU jobs and
/// sleepers. Each job wrote its own thread CPU (CLOCK_THREAD_CPUTIME_ID) to Redis: the truth.
@Suite("per-run CPU with real Sidekiq", .serialized)
struct RealSidekiqThreadCPUTests {
    static let appDirectory = Fixtures.packageRoot.appendingPathComponent("samples/threadcpu-app")

    @Test(.timeLimit(.minutes(4)))
    func measuredCPUMatchesEachJobsOwnThreadCPU() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let db = redis.directory.appendingPathComponent("k.sqlite").path
        let recording = try Kiqprof.start(["record", "--redis", redis.unixURL, "--db", db, "--interval", "1s", "--flush", "2s"])
        let workers = try ["a", "b"].map {
            try RealSidekiq(redis: redis, concurrency: 5, name: "sidekiq-\($0)", app: Self.appDirectory)
        }
        defer { workers.forEach { $0.stop() } }
        let deadline = Date().addingTimeInterval(30)
        while (try redis.cli("SCARD", "processes").trimmingCharacters(in: .whitespacesAndNewlines)) != "2" {
            #expect(Date() < deadline, "both sidekiq processes should beat within 30 s")
            if Date() >= deadline { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
        // The recorder reads each process's threads for a few polls before the first job starts.
        Thread.sleep(forTimeInterval: 3)
        let pusher = try RealSidekiq.runScript("push.rb", in: Self.appDirectory, redis: redis, environment: ["SECS": "90"])
        pusher.waitUntilExit()
        // Let the queue drain and the last long jobs end, then one 6.x heartbeat (5 s) and a poll.
        let drained = Date().addingTimeInterval(40)
        while Date() < drained, try redis.cli("LLEN", "queue:default").trimmingCharacters(in: .whitespacesAndNewlines) != "0" {
            Thread.sleep(forTimeInterval: 1)
        }
        Thread.sleep(forTimeInterval: 18)
        recording.0.terminate()
        let result = Kiqprof.finish(recording)
        #expect(result.status == 0, "stderr: \(result.stderr)")

        var truth: [String: (cpu: Double, wall: Double)] = [:]
        let pairs = try redis.cli("HGETALL", "truth").split(separator: "\n").map(String.init)
        for index in stride(from: 0, to: pairs.count - 1, by: 2) {
            let values = pairs[index + 1].split(separator: " ").compactMap { Double($0) }
            if values.count == 2 { truth[pairs[index]] = (values[0], values[1]) }
        }
        let runs = try Store(path: db).runs()
        var long: [(run: JobRun, cpu: Double, wall: Double)] = []
        for run in runs {
            guard let jid = run.jid, let real = truth[jid], real.wall > 3 else { continue }
            long.append((run, real.cpu, real.wall))
        }
        let within = long.filter { entry in
            guard let measured = entry.run.cpu?.seconds else { return false }
            return abs(measured - entry.cpu) <= max(0.5, 0.1 * entry.cpu)
        }
        let table = long.map { entry in
            "\(entry.run.jobClass) tid=\(entry.run.tid ?? "-") start=\(Int(entry.run.start) % 1000) wall=\(entry.wall) truth=\(entry.cpu) "
                + "measured=\(entry.run.cpu.map { "\($0.seconds) [\($0.minSeconds), \($0.maxSeconds)] \($0.mapping)" } ?? "nil") "
                + "note=\(entry.run.cpuNote?.rawValue ?? "-")"
        }.joined(separator: "\n")
        print("per-run CPU: \(within.count) of \(long.count) runs over 3 s within max(0.5 s, 10 %)\n\(table)")
        #expect(long.count >= 25, "runs over 3 s recorded with a truth: \(long.count) of \(runs.count) runs")
        #expect(Double(within.count) >= 0.95 * Double(long.count), "\(within.count) of \(long.count) within tolerance\n\(table)")

        // A victim the GVL stretched: its measure stays near its own CPU, well under its duration.
        let stretched = long.filter { $0.run.jobClass == "VictimJob" && $0.wall > 1.6 * $0.cpu }
        #expect(!stretched.isEmpty, "a VictimJob was slowed by a hog\n\(table)")
        for victim in stretched {
            let measured = try #require(victim.run.cpu?.seconds, "victim \(victim.run.jid ?? "") measured")
            #expect(abs(measured - victim.cpu) <= max(0.5, 0.1 * victim.cpu), "victim measured \(measured) vs truth \(victim.cpu)")
            #expect(measured < 0.75 * victim.wall, "victim measured \(measured) over \(victim.wall) s")
        }
    }
}
