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
        let run = ended[0]
        #expect(run.start == 95)
        #expect(run.endMin == 110)
        #expect(run.endMax == 120)
        #expect(run.end == 115)
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
        #expect(ended.map(\.outcome) == [.lost])
        #expect(ended[0].endMin == 100)
        #expect(ended[0].endMax == 170)
    }

    @Test func theSameJidRetriedIsANewRunAndThreadsAreKeptApart() {
        var tracker = RunTracker()
        _ = tracker.observe(at: 101, processes: [process(beat: 100)], busy: [job("a", runAt: 95), job("b", runAt: 99, tid: "t2")])
        let first = tracker.observe(at: 111, processes: [process(beat: 110)], busy: [job("a", runAt: 108), job("b", runAt: 99, tid: "t2")])
        #expect(first.map(\.jid) == ["a"])
        #expect(tracker.running.map(\.start) == [99, 108])
        let open = tracker.flushOpen()
        #expect(open.allSatisfy { $0.outcome == .running && $0.end == nil })
    }
}
