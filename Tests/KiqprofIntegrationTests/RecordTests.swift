import Foundation
import Testing
import KiqprofCore

/// `kiqprof record` against a real redis-server: runs are reconstructed, the host is sampled at every poll
/// even while Redis is down, the outage is recorded as a gap, and nothing is written to Redis.
@Suite("record", .serialized)
struct RecordTests {
    let identity = "vm:6627:5118cf3735ea"

    /// A private redis-server loaded with a fixture, and a store path in its directory.
    static func redisWithFixture(_ fixture: String) throws -> (RedisServer, String) {
        let server = try RedisServer()
        _ = try SnapshotLoader.load(Fixtures.snapshot(fixture), into: server)
        return (server, server.directory.appendingPathComponent("k.sqlite").path)
    }

    @Test("a Redis restart leaves a gap, loses no host sample, and the recorder resumes by itself")
    func redisRestart() throws {
        let (server, db) = try Self.redisWithFixture("S4")
        defer { server.stop() }
        let recording = try Kiqprof.start(["record", "--redis", server.unixURL, "--db", db, "--interval", "500ms", "--flush", "1s",
                                           "--duration", "9s"])
        Thread.sleep(forTimeInterval: 2.5)
        try server.cli("DEL", "\(identity):work")  // the five busy jobs end
        Thread.sleep(forTimeInterval: 1.5)
        server.kill()
        Thread.sleep(forTimeInterval: 2)
        try server.restart()
        try server.cli("CONFIG", "RESETSTAT")
        let result = Kiqprof.finish(recording)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Redis answers again"))

        let store = try Store(path: db)
        let counts = try store.counts()
        // 9 s at 0.5 s: about 18 polls, every one with a host sample, Redis or not.
        #expect((16...19).contains(counts["host_sample"] ?? 0), "\(counts)")
        let gaps = try store.gaps().filter { $0.kind == .redis }
        #expect(gaps.count == 1)
        #expect(gaps.first?.kind == .redis)
        #expect((1.5...4).contains((gaps.first?.to ?? 0) - (gaps.first?.from ?? 0)))
        let runs = try store.runs()
        #expect(runs.count == 5)
        #expect(Set(runs.map(\.jobClass)) == ["CpuBurnJob", "MemHogJob", "SleepyJob"])
        #expect(runs.allSatisfy { $0.source == .poll && $0.start == 1795715831 && $0.end.earliest != nil && $0.end.latest != nil })
        #expect(try store.integrityCheck() == "ok")

        // After the restart the recorder only read.
        let stats = try server.cli("INFO", "commandstats")
        let sent = Set(stats.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            line.hasPrefix("cmdstat_") ? String(line.dropFirst(8).prefix { $0 != ":" }) : nil
        }).subtracting(["info", "config|resetstat"])
        #expect(!sent.isEmpty && sent.isSubset(of: Set(RedisCommand.readOnlyCommandNames.map { $0.lowercased() })), "\(sent)")

        let listed = try Kiqprof.run(["runs", "--db", db, "--json"]).json()["runs"] as! [[String: Any]]
        #expect(listed.count == 5)
        #expect(listed.allSatisfy { $0["source"] as? String == "poll" && $0["end_min"] is String && $0["duration_s"] is Double })
    }

    @Test("SIGTERM flushes and exits 0 with a consistent store")
    func sigtermFlushes() throws {
        let (server, db) = try Self.redisWithFixture("S6")
        defer { server.stop() }
        let recording = try Kiqprof.start(["record", "--redis", server.unixURL, "--db", db, "--interval", "200ms", "--flush", "1h"])
        Thread.sleep(forTimeInterval: 2)
        recording.0.terminate()
        let result = Kiqprof.finish(recording)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let store = try Store(path: db)
        #expect(try store.counts()["host_sample"] ?? 0 >= 5, "the flush at exit wrote what the 1 h flush interval held back")
        #expect(try store.counts()["schedule_definition"] == 3)
        #expect(try store.runs().allSatisfy { $0.outcome == .running })
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("kill -9 loses at most one flush interval and leaves a consistent store")
    func killNine() throws {
        let (server, db) = try Self.redisWithFixture("S5")
        defer { server.stop() }
        let recording = try Kiqprof.start(["record", "--redis", server.unixURL, "--db", db, "--interval", "250ms", "--flush", "1s"])
        Thread.sleep(forTimeInterval: 3.6)
        kill(recording.0.processIdentifier, SIGKILL)
        let result = Kiqprof.finish(recording)
        #expect(result.status == 9 || recording.0.terminationReason == .uncaughtSignal)
        let store = try Store(path: db)
        #expect(try store.integrityCheck() == "ok")
        // About 14 polls happened; flushes every second keep all but the last second's (≤ 4 + 1 in flight).
        #expect((8...15).contains(try store.counts()["host_sample"] ?? 0))
    }

    @Test("a locked store is reported, retried, and loses nothing")
    func lockedStore() throws {
        let (server, db) = try Self.redisWithFixture("S5")
        defer { server.stop() }
        _ = try Store(path: db)  // create and migrate before the lock is taken
        let recording = try Kiqprof.start(["record", "--redis", server.unixURL, "--db", db, "--interval", "250ms", "--flush", "500ms",
                                           "--duration", "6s"])
        Thread.sleep(forTimeInterval: 1)
        // Another process holds the write lock for 3 s (sqlite3's own CLI, as an admin might).
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        locker.arguments = ["-c", "import sqlite3, time; c = sqlite3.connect('\(db)', isolation_level=None); "
                                + "c.execute('BEGIN IMMEDIATE'); time.sleep(3); c.execute('COMMIT')"]
        try locker.run()
        locker.waitUntilExit()
        let result = Kiqprof.finish(recording)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("locked"), "stderr: \(result.stderr)")
        let store = try Store(path: db)
        // Every poll's host sample was written once the lock was gone (waiting on the lock delays polls).
        let polls = try #require(result.stderr.firstMatch(of: /stopped after (\d+) polls/).map { Int($0.1)! })
        #expect(polls >= 12)
        #expect(try store.counts()["host_sample"] == polls)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("a process that stops beating leaves a heartbeat gap")
    func heartbeatGap() throws {
        let (server, db) = try Self.redisWithFixture("S4")
        defer { server.stop() }
        // The fixture's beat is from its capture, long past: the process is stale from the first poll.
        let result = try Kiqprof.run(["record", "--redis", server.unixURL, "--db", db, "--interval", "250ms", "--duration", "1500ms"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let gaps = try Store(path: db).gaps()
        let heartbeat = try #require(gaps.first { $0.kind == .heartbeat })
        #expect(heartbeat.reason.hasPrefix("\(identity): no heartbeat for over 30 s"))
        let scalars = try Fixtures.facts("S4")["process[\(identity)].scalar_fields"] as! [String: String]
        #expect(abs(heartbeat.from - Double(scalars["beat"]!)!) < 0.001, "the gap starts at the last beat")
    }
}
