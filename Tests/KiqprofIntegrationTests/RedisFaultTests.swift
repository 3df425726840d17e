import Foundation
import Testing
import KiqprofCore

/// Redis faults while `record` runs, against real redis-servers and a process beating through them: the
/// recorder keeps sampling the host, records the gap, resumes within 2 s of Redis answering again, and
/// neither invents nor loses a run across the fault.
@Suite("record through Redis faults")
struct RedisFaultTests {
    /// What a recording through a fault stored, and when the fault was over.
    struct Outcome {
        let store: Store
        let stderr: String
        /// Every job a heartbeat listed, and those listed at least one poll before the recording stopped.
        let listed: [FakeSidekiq.Job]
        let seeable: [FakeSidekiq.Job]
        let faultEnded: Date
    }

    /// Records `seconds` at 1 s polls while `fault` runs from the 4th second; `fault` returns when Redis answers again.
    func record(reading server: RedisServer, fake: FakeSidekiq, seconds: Int = 20, fault: () throws -> Void) throws -> Outcome {
        let db = server.directory.appendingPathComponent("k.sqlite").path
        fake.start()
        Thread.sleep(forTimeInterval: 1)
        let recording = try Kiqprof.start(["record", "--redis", server.unixURL, "--db", db, "--interval", "1s", "--flush", "2s",
                                           "--duration", "\(seconds)s"])
        Thread.sleep(forTimeInterval: 4)
        try fault()
        let faultEnded = Date()
        let result = Kiqprof.finish(recording)
        let stoppedAt = Date().timeIntervalSince1970
        let jobs = fake.stop()
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return Outcome(store: try Store(path: db), stderr: result.stderr, listed: jobs.map(\.job),
                       seeable: jobs.filter { $0.listedAt <= stoppedAt - 1.5 }.map(\.job), faultEnded: faultEnded)
    }

    /// The checks every fault shares; `redisGap` says whether the fault must leave a Redis gap.
    func expectRecordedThrough(_ outcome: Outcome, redisGap: Bool, _ fault: String) throws {
        let store = outcome.store
        let samples = try store.counts()["host_sample"] ?? 0
        let polls = try #require(outcome.stderr.firstMatch(of: /stopped after (\d+) polls/).map { Int($0.1)! })
        #expect(polls >= 19 && samples == polls, "\(fault): the host was sampled at each of 20 seconds' polls (\(samples) of \(polls))")
        let gaps = try store.gaps()
        #expect(!gaps.contains { $0.kind == .host }, "\(fault): no poll waited long enough to miss a host sample: \(gaps)")
        let redis = gaps.filter { $0.kind == .redis }
        if redisGap {
            let gap = try #require(redis.first, "\(fault): the outage is a Redis gap")
            #expect(redis.count == 1, "\(fault): one gap: \(redis)")
            #expect(gap.to - outcome.faultEnded.timeIntervalSince1970 <= 2, "\(fault): resumed within 2 s of Redis answering")
        }
        // Every job a heartbeat listed is one run, with its exact start; none is invented, none lost or doubled.
        let runs = try store.runs()
        #expect(runs.count == Set(runs.compactMap(\.jid)).count, "\(fault): no run stored twice")
        let recorded = Set(runs.compactMap(\.jid))
        #expect(recorded.isSubset(of: outcome.listed.map(\.jid)), "\(fault): no run the heartbeats did not list")
        #expect(recorded.isSuperset(of: outcome.seeable.map(\.jid)), "\(fault): every job listed while recording is a run")
        let starts = Dictionary(uniqueKeysWithValues: outcome.listed.map { ($0.jid, Double($0.start)) })
        #expect(runs.allSatisfy { starts[$0.jid ?? ""] == $0.start }, "\(fault): each run starts at its run_at")
        #expect(!runs.contains { $0.outcome == .lost }, "\(fault): no run was lost: \(runs.map(\.outcome))")
        for run in runs where run.outcome != .running {
            let job = try #require(outcome.listed.first { $0.jid == run.jid })
            #expect(run.end.earliest! <= job.end + 0.5 && job.end <= run.end.latest! + 2.5,
                    "\(fault): \(job.jid) ended at \(job.end), inside [\(run.end.earliest!), \(run.end.latest!)] up to a beat")
        }
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("CLIENT PAUSE for 10 s")
    func clientPause() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let fake = FakeSidekiq(target: server)
        let outcome = try record(reading: server, fake: fake) {
            try server.cli("CLIENT", "PAUSE", "10000", "ALL")
            Thread.sleep(forTimeInterval: 10)
        }
        try expectRecordedThrough(outcome, redisGap: true, "CLIENT PAUSE")
    }

    @Test("a stopped redis-server (SIGSTOP) for longer than the timeout")
    func stoppedServer() throws {
        let server = try RedisServer()
        defer { server.thaw(); server.stop() }
        let fake = FakeSidekiq(target: server)
        let outcome = try record(reading: server, fake: fake) {
            server.freeze()
            Thread.sleep(forTimeInterval: 6)
            server.thaw()
        }
        try expectRecordedThrough(outcome, redisGap: true, "SIGSTOP")
    }

    @Test("a restart with an empty dataset")
    func restartEmpty() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let fake = FakeSidekiq(target: server)
        let outcome = try record(reading: server, fake: fake) {
            server.kill()
            Thread.sleep(forTimeInterval: 3)
            try server.restart()
        }
        try expectRecordedThrough(outcome, redisGap: true, "restart empty")
        #expect(outcome.stderr.contains("Redis answers again"))
    }

    @Test("FLUSHALL underneath a connected recorder")
    func flushAll() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let fake = FakeSidekiq(target: server)
        let outcome = try record(reading: server, fake: fake) {
            try server.cli("FLUSHALL")
        }
        try expectRecordedThrough(outcome, redisGap: false, "FLUSHALL")
    }

    @Test("a replica it reads is promoted (REPLICAOF NO ONE) when the primary dies")
    func replicaPromoted() throws {
        let primary = try RedisServer(tcp: true)
        defer { primary.stop() }
        let replica = try RedisServer(extraArguments: ["--replicaof", "127.0.0.1", String(primary.port!)])
        defer { replica.stop() }
        let fake = FakeSidekiq(target: primary)
        let outcome = try record(reading: replica, fake: fake) {
            primary.kill()
            Thread.sleep(forTimeInterval: 2)
            try replica.cli("REPLICAOF", "NO", "ONE")
            fake.write(to: replica)
        }
        try expectRecordedThrough(outcome, redisGap: false, "replica promoted")
        #expect(try replica.cli("ROLE").hasPrefix("master"))
    }

    @Test("its connection killed (CLIENT KILL)")
    func clientKill() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let fake = FakeSidekiq(target: server)
        let outcome = try record(reading: server, fake: fake) {
            try server.cli("CLIENT", "KILL", "TYPE", "normal")
        }
        try expectRecordedThrough(outcome, redisGap: true, "CLIENT KILL")
    }
}
