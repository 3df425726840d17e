import Foundation
import Testing
@testable import KiqprofCore

/// The per-run CPU meter driven as the recorder drives it (observe each local process's threads, then the
/// runs in progress, then the ended runs, then release), over a simulated Sidekiq process: five processor
/// threads, the main thread and the heartbeat thread, polled every second, beating every 5 s.
@Suite("thread CPU: the per-run CPU meter")
struct RunCPUMeterTests {
    static let t0 = 1_795_000_000.0
    static let identity = "host:1:abc"

    /// A job on kernel thread `kernel` (Sidekiq thread `tid`), at `rate` CPU/s over [from, to) seconds after t0.
    struct Job {
        var kernel: Int, tid: String, jid: String, from: Double, to: Double, rate: Double

        var cpu: Double { rate * (to - from) }
        /// The work hash is rewritten at every beat (every 5 s): the job is listed by the beats inside it.
        var firstListed: Double { (from / 5).rounded(.up) * 5 }
        var lastListed: Double { ((to / 5).rounded(.up) - 1) * 5 }
        var gone: Double { (to / 5).rounded(.up) * 5 }

        var running: JobRun {
            JobRun(jid: jid, jobClass: rate > 0.2 ? "Hog" : "Sleeper", queue: "default", identity: RunCPUMeterTests.identity,
                   host: "host", pid: 1, tid: tid, start: RunCPUMeterTests.t0 + from.rounded(.down), outcome: .running, source: .poll)
        }

        /// As the run tracker ends it: between the last beat that listed it and the first that did not.
        var ended: JobRun {
            var run = running
            run.end = .between(RunCPUMeterTests.t0 + lastListed, RunCPUMeterTests.t0 + gone)
            run.outcome = .ok
            return run
        }
    }

    /// Kernel threads 101–105 run jobs, 100 is the main thread and 106 the heartbeat. Between jobs a processor
    /// waits for work in Redis: 0.001 CPU/s, scheduled every other second.
    struct Process {
        var jobs: [Job]

        func jobs(on kernel: Int) -> [Job] { jobs.filter { $0.kernel == kernel } }

        func cpu(_ kernel: Int, at time: Double) -> Double {
            let start = -60.0
            var busy = 0.0, used = 0.0
            for job in jobs(on: kernel) {
                let overlap = max(0, min(time, job.to) - max(start, job.from))
                busy += overlap
                used += job.rate * overlap
            }
            return 10 + used + 0.001 * (time - start - busy)
        }

        func timeslices(_ kernel: Int, at time: Double) -> Double {
            let start = -60.0
            var busy = 0.0, slices = 0.0
            for job in jobs(on: kernel) {
                let overlap = max(0, min(time, job.to) - max(start, job.from))
                busy += overlap
                slices += 100 * job.rate * overlap
            }
            return (slices + 0.5 * (time - start - busy)).rounded(.down)
        }

        func readings(at time: Double) -> [ThreadCPUReading] {
            var readings = (101...105).map {
                ThreadCPUReading(tid: $0, name: "sidekiq.default", cpuSeconds: cpu($0, at: time), timeslices: timeslices($0, at: time))
            }
            readings.append(ThreadCPUReading(tid: 100, name: "ruby", cpuSeconds: 5 + 0.05 * time, timeslices: 100 + time))
            readings.append(ThreadCPUReading(tid: 106, name: "sidekiq.heartbe", cpuSeconds: 1 + 0.01 * time, timeslices: 10 + time))
            return readings
        }

        /// The job threads' CPU over (previous, time].
        func jobCPU(from previous: Double, to time: Double) -> Double {
            (101...105).reduce(0) { $0 + cpu($1, at: time) - cpu($1, at: previous) }
        }
    }

    /// Kernel 101 is Sidekiq thread "aa1", CPU-bound; 102 "bb2" sleeps (its first job from before the recording);
    /// 103 "cc3" light; 104 "dd4" and 105 "ee5" always run side by side at half a core each.
    static let process = Process(jobs: [
        Job(kernel: 101, tid: "aa1", jid: "j1", from: 3.3, to: 14.6, rate: 1),
        Job(kernel: 101, tid: "aa1", jid: "j2", from: 27.4, to: 38.7, rate: 0.9),
        Job(kernel: 101, tid: "aa1", jid: "j3", from: 44.2, to: 52.1, rate: 1),
        Job(kernel: 102, tid: "bb2", jid: "j4", from: -30, to: 2.4, rate: 0),
        Job(kernel: 102, tid: "bb2", jid: "j5", from: 6.1, to: 21.8, rate: 0),
        Job(kernel: 102, tid: "bb2", jid: "j6", from: 30.3, to: 47.5, rate: 0),
        Job(kernel: 103, tid: "cc3", jid: "j7", from: 8.6, to: 24.2, rate: 0.1),
        Job(kernel: 103, tid: "cc3", jid: "j8", from: 33, to: 43.9, rate: 0.08),
        Job(kernel: 104, tid: "dd4", jid: "j9", from: 16.2, to: 26.9, rate: 0.5),
        Job(kernel: 105, tid: "ee5", jid: "j10", from: 16.2, to: 26.9, rate: 0.5),
    ])

    struct Recording {
        var meter = RunCPUMeter(localHost: "host")
        var released: [String: JobRun] = [:]
        var jobCPU: [Double?] = []
        var lastPoll = 0.0

        mutating func release(at time: Double, everything: Bool = false) {
            for run in meter.release(at: RunCPUMeterTests.t0 + time, everything: everything) {
                #expect(released[run.jid ?? ""] == nil, "released twice: \(run)")
                released[run.jid ?? ""] = run
            }
        }
    }

    /// Polls at every second of `seconds`, in the recorder's order; `running` and `ended` add runs listed or
    /// ended at a given poll beside the simulated jobs.
    static func record(_ process: Process = process, seconds: ClosedRange<Int> = 0...59, running: [Int: [JobRun]] = [:],
                       ended: [Int: [JobRun]] = [:]) -> Recording {
        record(process, polls: seconds.map(Double.init), running: running, ended: ended)
    }

    /// Polls at `polls`: each reads the work hash as the last beat at or before it wrote it.
    static func record(_ process: Process, polls: [Double], running: [Int: [JobRun]] = [:], ended: [Int: [JobRun]] = [:]) -> Recording {
        var recording = Recording()
        var previous = -Double.infinity
        for time in polls {
            let beat = (time / 5).rounded(.down) * 5
            let endedJobs = process.jobs.filter { previous < $0.gone && $0.gone <= time && $0.firstListed < $0.to }.map(\.ended)
            recording.jobCPU.append(recording.meter.observe(identity: identity, concurrency: 5, at: t0 + time,
                                                            threads: process.readings(at: time)))
            let runningJobs = process.jobs.filter { $0.firstListed <= beat && beat < $0.gone }.map(\.running)
            recording.meter.observeRunning(runningJobs + (running[Int(time)] ?? []))
            for run in endedJobs + (ended[Int(time)] ?? []) { recording.meter.end(run) }
            recording.release(at: time)
            recording.lastPoll = time
            previous = time
        }
        return recording
    }

    static func within(_ cpu: RunCPU?, _ truth: Double, _ tolerance: Double) -> Bool {
        guard let cpu else { return false }
        return abs(cpu.seconds - truth) <= tolerance && cpu.minSeconds <= truth + 1e-9 && truth <= cpu.maxSeconds + 1e-9
    }

    @Test func eachRunsCPUIsMeasuredOnItsOwnThread() {
        let recording = Self.record()
        for job in Self.process.jobs where !["j4", "j9", "j10"].contains(job.jid) {
            let run = recording.released[job.jid]
            // Within 0.1 s or 2 %, and inside its bounds.
            #expect(Self.within(run?.cpu, job.cpu, max(0.1, 0.02 * job.cpu)), "\(job.jid): \(String(describing: run))")
            #expect(run?.cpuNote == nil)
        }
        // The CPU-bound runs leave no doubt which thread is theirs.
        for jid in ["j1", "j2", "j3"] { #expect(recording.released[jid]?.cpu?.mapping == .sure) }
        // The sleeper's first run began before the recording; the twins' threads cannot be told apart, so they wait.
        #expect(recording.released["j4"]?.cpuNote == .startUnseen && recording.released["j4"]?.cpu == nil)
        #expect(recording.released["j9"] == nil && recording.released["j10"] == nil && recording.meter.heldCount == 2)
    }

    @Test func aRunIsReleasedOncePollsPassItsEndAndItsThreadIsSure() {
        // j1 ends between the beats at 10 and 15: the poll at 15 is the first past it, 16 the first past 15.5.
        let early = Self.record(seconds: 0...15)
        #expect(early.released["j1"] == nil && early.meter.heldCount == 1)
        let later = Self.record(seconds: 0...16)
        #expect(Self.within(later.released["j1"]?.cpu, 11.3, 0.1) && later.released["j1"]?.cpu?.mapping == .sure)
    }

    @Test func observeReturnsTheJobThreadsCPUSinceThePreviousPoll() {
        let recording = Self.record(seconds: 0...30)
        #expect(recording.jobCPU.count == 31 && recording.jobCPU[0] == nil)
        for second in 1...30 {
            // Threads 101–105 only: the main thread's 0.05 CPU/s and the heartbeat's 0.01 are not job CPU.
            let expected = Self.process.jobCPU(from: Double(second - 1), to: Double(second))
            #expect(abs((recording.jobCPU[second] ?? -1) - expected) < 1e-9, "poll \(second)")
        }
        // From 19 to 20: the twins at half a core each, the light job, 101 waiting for work and the sleeper:
        // 0.5 + 0.5 + 0.1 + 0.001 + 0.
        #expect(abs((recording.jobCPU[20] ?? -1) - 1.101) < 1e-9)
        var meter = RunCPUMeter(localHost: "host")
        #expect(meter.observe(identity: "host:2:def", concurrency: 5, at: Self.t0, threads: nil) == nil)
    }

    @Test func withoutSidekiqNamesEveryThreadButTheHousekeepingOnesMayRunJobs() {
        var meter = RunCPUMeter(localHost: "host")
        func threads(_ cpu: Double) -> [ThreadCPUReading] {
            [ThreadCPUReading(tid: 1, name: "ruby", cpuSeconds: cpu, timeslices: nil),
             ThreadCPUReading(tid: 2, name: "worker-2", cpuSeconds: 2 * cpu, timeslices: nil),
             ThreadCPUReading(tid: 3, name: "sidekiq.heartbe", cpuSeconds: 10 * cpu, timeslices: nil)]
        }
        #expect(meter.observe(identity: Self.identity, concurrency: 2, at: Self.t0, threads: threads(1)) == nil)
        // 0.5 + 1 from the two unnamed threads; the heartbeat's 5 is not job CPU.
        #expect(meter.observe(identity: Self.identity, concurrency: 2, at: Self.t0 + 1, threads: threads(1.5)) == 1.5)
    }

    @Test func remoteAndUnreadableRunsAreNotedAtOnce() {
        var recording = Self.record(seconds: 0...12)
        var remote = JobRun(jid: "r1", jobClass: "Hog", queue: "default", identity: "other:9:zzz", host: "other", pid: 9,
                            tid: "xx1", start: Self.t0 + 3, end: .between(Self.t0 + 5, Self.t0 + 10), outcome: .ok, source: .poll)
        var unread = remote
        unread.jid = "u1"
        unread.identity = "host:2:def"
        unread.host = "host"
        var anonymous = unread
        anonymous.jid = "u2"
        anonymous.identity = nil
        for run in [remote, unread, anonymous] { recording.meter.end(run) }
        let released = recording.meter.release(at: Self.t0 + 12)
        remote.cpuNote = .remote
        unread.cpuNote = .unreadable
        anonymous.cpuNote = .unreadable
        #expect(released == [remote, unread, anonymous])
    }

    @Test func aRunStillInProgressPassesThroughUntouched() {
        var recording = Self.record(seconds: 0...47)
        let job = Self.process.jobs.first { $0.jid == "j3" }!
        var open = job.running
        open.end = .openSince(Self.t0 + 45)
        recording.meter.end(open)
        let released = recording.meter.release(at: Self.t0 + 47, everything: true)
        #expect(released.first { $0.jid == "j3" } == open)
    }

    @Test func aRunThatStartedBeforeTheHistoryIsStartUnseen() {
        // j4 started 30 s before the first poll; listed until the beat at 0 and gone at 5.
        let recording = Self.record(seconds: 0...5)
        let run = recording.released["j4"]
        #expect(run?.cpuNote == .startUnseen && run?.cpu == nil)
        #expect(run?.end == .between(Self.t0, Self.t0 + 5))
    }

    @Test func runsNeverMappedGetANoteAfterTheHold() {
        // zz9: listed at 40 only and gone at 41, too short for any evidence; held from poll 42.
        let short = JobRun(jid: "z1", jobClass: "Quick", queue: "default", identity: Self.identity, host: "host", pid: 1,
                           tid: "zz9", start: Self.t0 + 40, outcome: .running, source: .poll)
        var ended = short
        ended.end = .between(Self.t0 + 40, Self.t0 + 41)
        ended.outcome = .ok
        var recording = Self.record(running: [40: [short]], ended: [41: [ended]])
        #expect(recording.released["z1"] == nil && recording.meter.heldCount == 3)
        // The twins were held from poll 31 (their end at 30 plus half a second): 300 s later they are unsure.
        recording.release(at: 330.5)
        #expect(recording.released["j9"] == nil)
        recording.release(at: 331)
        #expect(recording.released["j9"]?.cpuNote == .unsure && recording.released["j10"]?.cpuNote == .unsure)
        #expect(recording.released["j9"]?.cpu == nil && recording.released["z1"] == nil)
        recording.release(at: 341.5)
        #expect(recording.released["z1"] == nil && recording.meter.heldCount == 1)
        recording.release(at: 342)
        #expect(recording.released["z1"]?.cpuNote == .unmapped && recording.released["z1"]?.cpu == nil)
        #expect(recording.meter.heldCount == 0)
    }

    @Test func everythingSettlesWhatIsHeld() {
        var recording = Self.record()
        #expect(recording.meter.heldCount == 2)
        recording.release(at: 60, everything: true)
        #expect(recording.released["j9"]?.cpuNote == .unsure && recording.released["j10"]?.cpuNote == .unsure)
        #expect(recording.meter.heldCount == 0)
    }

    @Test func aRunLostWithItsProcessIsSettledOnceTheProcessIsSilent() {
        // The process dies at 20.5 in the middle of aa1's run (from 3.3 at 1 CPU/s): its threads are last read at
        // 20. Its hash expires and the run ends lost at 80, between the beat at 20 and then.
        let process = Process(jobs: [Job(kernel: 101, tid: "aa1", jid: "k1", from: 3.3, to: 100, rate: 1)])
        var recording = Self.record(process, seconds: 0...20)
        var lost = process.jobs[0].running
        lost.end = .between(Self.t0 + 20, Self.t0 + 80)
        lost.outcome = .lost
        for second in 21...400 {
            if second == 80 { recording.meter.end(lost) }
            recording.release(at: Double(second))
            if recording.released["k1"] != nil {
                // Not before the process has been silent for the hold, at most a poll after.
                #expect(second > 20 + Int(RunCPUMeter.hold) && second <= 21 + Int(RunCPUMeter.hold))
                break
            }
        }
        // Its thread's CPU up to the last reading: 20 - 3.3.
        let run = recording.released["k1"]
        #expect(Self.within(run?.cpu, 16.7, 0.1) && run?.cpu?.mapping == .sure && run?.outcome == .lost)
        #expect(recording.meter.heldCount == 0)
    }

    @Test(arguments: [0.37, 0.9])
    func pollsBetweenWholeSecondsMeasureAsWell(offset: Double) {
        // Polls at .37 or .9 past each second: the start second and the end bracket fall between polls.
        var recording = Self.record(Self.process, polls: (0...70).map { Double($0) + offset })
        recording.release(at: 72, everything: true)
        for job in Self.process.jobs where !["j4", "j9", "j10"].contains(job.jid) {
            let run = recording.released[job.jid]
            #expect(Self.within(run?.cpu, job.cpu, max(0.1, 0.02 * job.cpu)), "\(job.jid): \(String(describing: run))")
        }
    }

    @Test func aRunLongerThanTheHistoryKeepsItsStartMark() {
        // 250 s at 1 CPU/s on 101 (listed from 5 to 250, gone at 255) while the history holds 180 s.
        let process = Process(jobs: [Job(kernel: 101, tid: "aa1", jid: "L", from: 3.3, to: 253.6, rate: 1)])
        let recording = Self.record(process, seconds: 0...270)
        #expect(Self.within(recording.released["L"]?.cpu, 250.3, 0.1) && recording.released["L"]?.cpu?.mapping == .sure)
        #expect(recording.meter.heldCount == 0)
    }

    @Test(arguments: [("a sleeper", 0.0), ("a light job", 0.1)])
    func aShortRunBesideALongerHogIsMeasuredOnTheHogsThread(kind: String, rate: Double) {
        // Known limitation: bb2 runs on 102 over [6.1, 21.8) while aa1's hog runs on 101 throughout and ends only
        // at 253.6. While bb2 surely runs, 101 is as steadily heavy as 102 is dormant (or light), so both fit a
        // pattern alike against the threads at large; over the end bracket 101 keeps its pattern and 102 changes,
        // which favours 101. With no run of aa1 ended yet to claim 101, bb2 is mapped to 101, "sure", and
        // measured at about 18.5 CPU-s.
        let process = Process(jobs: [Job(kernel: 101, tid: "aa1", jid: "L", from: 3.3, to: 253.6, rate: 1),
                                     Job(kernel: 102, tid: "bb2", jid: "S", from: 6.1, to: 21.8, rate: rate)])
        let recording = Self.record(process, seconds: 0...30)
        let run = recording.released["S"]
        #expect(run != nil)
        withKnownIssue("\(kind) beside a longer hog is taken for the hog's thread") {
            #expect(Self.within(run?.cpu, process.jobs[1].cpu, 0.1), "\(String(describing: run?.cpu))")
        }
    }

    @Test func backToBackRunsOnOneThreadStayWithinTolerance() {
        // aa1 runs two CPU-bound jobs with 0.7 s between them: the first (9.2 CPU-s) is listed at 5 and 10; the
        // second (run_at 13) at 15 and 20, gone at 25. The second's start second bounds the first's end at 14.
        let process = Process(jobs: [
            Job(kernel: 101, tid: "aa1", jid: "b1", from: 3.3, to: 12.5, rate: 1),
            Job(kernel: 101, tid: "aa1", jid: "b2", from: 13.2, to: 23.9, rate: 1),
            Job(kernel: 102, tid: "bb2", jid: "b3", from: 6.1, to: 21.8, rate: 0),
        ])
        let recording = Self.record(process, seconds: 0...30)
        for job in process.jobs {
            let run = recording.released[job.jid]
            #expect(Self.within(run?.cpu, job.cpu, max(0.5, 0.1 * job.cpu)), "\(job.jid): \(String(describing: run))")
        }
    }
}
