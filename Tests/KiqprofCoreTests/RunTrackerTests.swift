import Testing
@testable import KiqprofCore

@Suite struct RunTrackerTests {
    func process(_ identity: String = "vm:10:abc", beat: Double, state: SidekiqProcess.State = .live) -> SidekiqProcess {
        var process = SidekiqProcess(identity: identity, state: state)
        process.version = "7.3.10"
        if state == .live { process.beat = beat }
        return process
    }

    func job(_ jid: String, runAt: Double, tid: String = "t1", identity: String = "vm:10:abc", jobClass: String = "CpuBurnJob") -> BusyJob {
        BusyJob(identity: identity, tid: tid, queue: "default", runAt: runAt, payload: JobPayload(jobClass: jobClass, jid: jid))
    }

    @Test func runStartsAtRunAtAndEndsBetweenTheTwoBeats() {
        var tracker = RunTracker()
        // Heartbeats every 10 s at 100, 110, 120; polls every second.
        #expect(tracker.observe(at: 101, processes: [process(beat: 100)], busy: [job("a", runAt: 95)]).isEmpty)
        #expect(tracker.observe(at: 111, processes: [process(beat: 110)], busy: [job("a", runAt: 95)]).isEmpty)
        #expect(tracker.running.count == 1)
        let ended = tracker.observe(at: 121, processes: [process(beat: 120)], busy: [])
        #expect(ended.count == 1)
        let run = ended[0].run
        #expect(run.start == 95)
        #expect(run.end.earliest == 110)
        #expect(run.end.latest == 120)
        #expect(run.end.estimate == 115)
        #expect(run.duration == 20)
        #expect(run.outcome == .unknown)
        #expect(run.source == .poll)
        #expect(run.host == "vm" && run.pid == 10 && run.tid == "t1")
        #expect(tracker.running.isEmpty)
    }

    @Test func aProcessWhoseHashExpiredLosesItsRuns() {
        var tracker = RunTracker()
        _ = tracker.observe(at: 101, processes: [process(beat: 100)], busy: [job("a", runAt: 90)])
        let ended = tracker.observe(at: 170, processes: [process(beat: 0, state: .gone)], busy: [])
        #expect(ended.map(\.run.outcome) == [.lost])
        #expect(ended[0].run.end.earliest == 100)
        #expect(ended[0].run.end.latest == 170)
    }

    @Test func aProcessMissingFromAnEmptiedRedisKeepsItsRunsWhenItBeatsAgain() {
        var tracker = RunTracker()
        _ = tracker.observe(at: 101, processes: [process(beat: 100)], busy: [job("a", runAt: 90)])
        // Redis restarted empty (or FLUSHALL): nothing is listed until the process's next beat.
        #expect(tracker.observe(at: 103, processes: [], busy: []).isEmpty)
        #expect(tracker.observe(at: 108, processes: [], busy: []).isEmpty)
        #expect(tracker.observe(at: 111, processes: [process(beat: 110)], busy: [job("a", runAt: 90)]).isEmpty)
        #expect(tracker.running.map(\.jid) == ["a"], "one run across the wipe, not an invented end and a second run")
        let ended = tracker.observe(at: 121, processes: [process(beat: 120)], busy: [])
        #expect(ended.map(\.run.end) == [.between(110, 120)])
    }

    @Test func aProcessMissingLongerThanTheGraceEndsItsRunsByTheFirstMiss() {
        var tracker = RunTracker()
        _ = tracker.observe(at: 101, processes: [process(beat: 100)], busy: [job("a", runAt: 90)])
        #expect(tracker.observe(at: 103, processes: [], busy: []).isEmpty)
        #expect(tracker.observe(at: 103 + RunTracker.vanishGrace - 1, processes: [], busy: []).isEmpty)
        let ended = tracker.observe(at: 103 + RunTracker.vanishGrace, processes: [], busy: [])
        #expect(ended.map(\.run.outcome) == [.unknown])
        #expect(ended.map(\.run.end) == [.between(100, 103)], "it was gone by the first poll that missed it")
    }

    @Test func aProcessThatHadStoppedBeatingEndsItsRunsAsSoonAsItIsMissing() {
        var tracker = RunTracker()
        // Its last beat is 100 s old when first read: stale, so missing means gone, not a wiped Redis.
        _ = tracker.observe(at: 200, processes: [process(beat: 100)], busy: [job("a", runAt: 90)])
        let ended = tracker.observe(at: 203, processes: [], busy: [])
        #expect(ended.map(\.run.outcome) == [.unknown] && ended.map(\.run.end) == [.between(100, 203)])
    }

    @Test func theSameJidRetriedIsANewRunAndThreadsAreKeptApart() {
        var tracker = RunTracker()
        _ = tracker.observe(at: 101, processes: [process(beat: 100)], busy: [job("a", runAt: 95), job("b", runAt: 99, tid: "t2")])
        let first = tracker.observe(at: 111, processes: [process(beat: 110)], busy: [job("a", runAt: 108), job("b", runAt: 99, tid: "t2")])
        #expect(first.map(\.run.jid) == ["a"])
        #expect(tracker.running.map(\.start) == [99, 108])
        let open = tracker.flushOpen()
        #expect(open.allSatisfy { $0.outcome == .running && $0.end.estimate == nil && $0.end.earliest == 110 })
        // A new session adopts them: a run still listed continues, one gone ends within the downtime.
        var next = RunTracker()
        next.adopt(open)
        let ended = next.observe(at: 300, processes: [process(beat: 299)], busy: [job("b", runAt: 99, tid: "t2")])
        #expect(ended.map(\.run.jid) == ["a"])
        #expect(ended.first?.run.end.earliest == 110 && ended.first?.run.end.latest == 299)
        #expect(next.running.map(\.jid) == ["b"])
    }

    @Test func runningOfSomeProcessesIsRunningFilteredInTheSameOrder() {
        var tracker = RunTracker()
        let a = "vm:10:abc", b = "web01:11:def", c = "vm:12:ghi"
        _ = tracker.observe(
            at: 101, processes: [process(a, beat: 100), process(b, beat: 100), process(c, beat: 100)],
            busy: [job("a1", runAt: 97, identity: a), job("b1", runAt: 95, identity: b), job("c1", runAt: 96, identity: c),
                   job("a2", runAt: 95, tid: "t2", identity: a), job("c2", runAt: 99, tid: "t2", identity: c)])
        #expect(tracker.running(of: [c, a]).map(\.jid) == tracker.running.filter { $0.identity != b }.map(\.jid))
        #expect(tracker.running(of: [c, a]).map(\.jid) == ["a2", "c1", "a1", "c2"])
        #expect(tracker.running(of: ["vm:99:none"]).isEmpty && tracker.running(of: []).isEmpty)
    }

    @Test func anUnmovedFailedCounterMeansSuccess() {
        var tracker = RunTracker()
        _ = tracker.observe(at: 101, processes: [process(beat: 100)], busy: [job("a", runAt: 95), job("b", runAt: 96, tid: "t2")],
                            failedCounter: 7)
        let okRun = tracker.observe(at: 111, processes: [process(beat: 110)], busy: [job("b", runAt: 96, tid: "t2")], failedCounter: 7)
        #expect(okRun.map(\.run.outcome) == [.ok])
        let moved = tracker.observe(at: 121, processes: [process(beat: 120)], busy: [], failedCounter: 8)
        #expect(moved.map(\.run.outcome) == [.unknown])
        #expect(moved.first?.failedBefore == 7 && moved.first?.failedAfter == 8)
        #expect(moved.first?.windowStart == 111 && moved.first?.windowEnd == 121)
    }

    @Test func failuresAreFoundInRetryAndDeadByJid() throws {
        // Verbatim members of the S1 fixture (Sidekiq 6.4.1): a retry of FlakyJob and a death of PoisonJob.
        let retry = #"{"retry":5,"queue":"default","args":[1000],"class":"FlakyJob","jid":"3cd72c0906c7f4b673785a31","#
            + #""created_at":1795715241.7260597,"enqueued_at":1795715241.7260659,"#
            + #""error_message":"upstream timed out for account 1000","error_class":"IOError","#
            + #""failed_at":1795715243.7264888,"retry_count":0}"#
        let dead = #"{"retry":0,"queue":"critical","args":[501],"class":"PoisonJob","jid":"e8337fa9cd49cffc6c603900","#
            + #""created_at":1795715241.7279458,"enqueued_at":1795715241.7279544,"#
            + #""error_message":"invalid payload for record 501","error_class":"ArgumentError","#
            + #""failed_at":1795715241.7293777,"retry_count":0}"#
        func ended(_ jid: String, endMax: Double = 1795715245, failed: (Int64, Int64) = (4, 6)) -> RunTracker.EndedRun {
            let run = JobRun(jid: jid, jobClass: "X", queue: "default", identity: "vm:1:a", host: "vm", pid: 1, tid: "t", start: 1795715230,
                             end: .between(1795715240, endMax), outcome: .unknown, source: .poll)
            return RunTracker.EndedRun(run: run, failedBefore: failed.0, failedAfter: failed.1,
                                       windowStart: 1795715239, windowEnd: 1795715246)
        }
        let runs = [ended("3cd72c0906c7f4b673785a31"), ended("e8337fa9cd49cffc6c603900"), ended("ffffffffffffffffffffffff")]
        let commands = RunOutcomeSettler.commands(for: runs, keyspace: SidekiqKeyspace(namespace: "mastodon"))
        #expect(commands.map(\.errorLabel) == ["ZRANGEBYSCORE mastodon:dead", "ZRANGEBYSCORE mastodon:retry"])
        #expect(commands.allSatisfy { $0.isReadOnly })
        var settler = RunOutcomeSettler()
        let replies: [RedisValue] = [.array([.bulkString(Array(dead.utf8))]), .array([.bulkString(Array(retry.utf8))])]
        let settled = settler.settle(runs, replies: replies, now: 1795715247)
        // The two failures found explain the counter's rise from 4 to 6, so the third run succeeded.
        #expect(settled.map(\.outcome) == [.failed, .failed, .ok])
        #expect(settled.map(\.errorClass) == ["IOError", "ArgumentError", nil])

        // A rise that the failures found do not explain waits, then stays unknown.
        var fresh = RunOutcomeSettler()
        let unexplained = [ended("ffffffffffffffffffffffff", failed: (4, 5))]
        #expect(fresh.settle(unexplained, replies: [], now: 1795715247).isEmpty)
        #expect(fresh.settle([], replies: [], now: 1795715300).map(\.outcome) == [.unknown])
    }
}
