import Foundation
import Testing
@testable import KiqprofCore

/// The recorder's logic with scripted Sidekiq, host and clock (no Redis, no /proc, no sleeping), checked
/// through what it writes to a real store.
@Suite struct RecorderTests {
    static let t0 = 1_800_000_000.0
    static let local = "worker1:10:aaa"
    static let remote = "other:20:bbb"

    /// A recorder wired to scripted parts; `world` gives Sidekiq's state at each wall time.
    final class Rig {
        let store: Store
        let clock: ManualRecorderClock
        let sampler = ScriptedHostSampler()
        let source: ScriptedStateSource
        var options = Recorder.Options(
            endpoint: RedisEndpoint(address: .tcp(host: "unused.invalid", port: 6379)), keyspace: SidekiqKeyspace())
        private(set) var logs: [String] = []

        init(store: Store? = nil, wallStart: Double = RecorderTests.t0, world: @escaping (Double) -> ScriptedStateSource.World) throws {
            clock = ManualRecorderClock(wallStart: wallStart)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-recorder-\(UUID().uuidString)/k.sqlite").path
            self.store = try store ?? Store(path: path)
            source = ScriptedStateSource(clock: clock, world: world)
            options.hostName = "worker1"
            options.interval = 1
            options.flushInterval = 1
        }

        /// Records for `seconds` of manual time; `probe` sees the clock at every stop check.
        func record(for seconds: Double, probe: (Double) -> Void = { _ in }) throws -> Recorder.Summary {
            options.duration = seconds
            let recorder = Recorder(options: options, store: store, source: source, sampler: sampler, clock: clock) { [unowned self] in
                logs.append($0)
            }
            return try recorder.run { probe(clock.now()); return false }
        }
    }

    static func process(_ identity: String, beat: Double?, state: SidekiqProcess.State = .live) -> SidekiqProcess {
        var process = SidekiqProcess(identity: identity, state: state)
        process.version = "7.3.10"  // 10 s heartbeats: stale after 30 s
        process.beat = state == .live ? beat : nil
        process.concurrency = 5
        return process
    }

    static func job(
        _ jid: String, runAt: Double, tid: String = "t1", identity: String = local, jobClass: String = "CpuBurnJob"
    ) -> BusyJob {
        BusyJob(identity: identity, tid: tid, queue: "default", runAt: runAt, payload: JobPayload(jobClass: jobClass, jid: jid))
    }

    /// The last heartbeat at or before `t`, beating every 10 s from t0.
    static func beat(_ t: Double) -> Double { t0 + 10 * ((t - t0) / 10).rounded(.down) }

    @Test func runsStartAtRunAtAndEndBetweenTheTwoBeatsAndAreOkWhenTheFailedCounterStayed() throws {
        let t0 = Self.t0
        let rig = try Rig { t in
            let beat = Self.beat(t)
            var world = ScriptedStateSource.World(failed: 7, queues: [QueueSummary(name: "default", size: 3, latency: 1.5)])
            world.processes = [Self.process(Self.local, beat: beat), Self.process(Self.remote, beat: beat)]
            // Work is rewritten at the beat: "a" is listed until the beat at t0+20, "b" from t0+20 to t0+40.
            if beat < t0 + 20 { world.busy.append(Self.job("a", runAt: t0 - 5)) }
            if beat >= t0 + 20 && beat < t0 + 40 { world.busy.append(Self.job("b", runAt: t0 + 12, tid: "t2", jobClass: "SleepyJob")) }
            return world
        }
        rig.sampler.usage[10] = (cpuPct: 25, rssKiB: 5000)
        let summary = try rig.record(for: 50)

        let runs = try rig.store.runs().sorted { $0.start < $1.start }
        #expect(runs.map(\.jid) == ["a", "b"])
        #expect(runs.map(\.outcome) == [.ok, .ok])
        #expect(runs.map(\.start) == [t0 - 5, t0 + 12])
        #expect(runs.map(\.end.earliest) == [t0 + 10, t0 + 30])
        #expect(runs.map(\.end.latest) == [t0 + 20, t0 + 40])
        #expect(runs.map(\.end.estimate) == [t0 + 15, t0 + 35])
        #expect(runs.allSatisfy { $0.source == .poll && $0.host == "worker1" && $0.pid == 10 && $0.identity == Self.local })
        #expect(runs.map(\.jobClass) == ["CpuBurnJob", "SleepyJob"])

        // One poll a second at t0 ... t0+49, each with a host sample, set sample and queue sample.
        #expect(rig.sampler.sampledAt == (0..<50).map { t0 + Double($0) })
        let counts = try rig.store.counts()
        #expect(counts["host_sample"] == 50 && counts["set_sample"] == 50 && counts["queue_sample"] == 50)
        // The local process's CPU is measured every poll; the remote one is written once per heartbeat.
        let localUsage = try rig.store.processUsage(identity: Self.local)
        #expect(localUsage.count == 50 && localUsage.allSatisfy { $0.cpuPct == 25 && $0.rssKiB == 5000 })
        #expect(try rig.store.processUsage(identity: Self.remote).map(\.t) == [t0, t0 + 10, t0 + 20, t0 + 30, t0 + 40])
        #expect(counts["process_sample"] == 55)
        #expect(counts["recorder_gap"] == 0)
        // Schedules are read at the first poll and then once a minute.
        #expect(rig.source.polls.filter(\.includeSchedules).map(\.t) == [t0])
        #expect(rig.source.polls.allSatisfy { $0.checked.isEmpty })
        #expect(summary.polls == 50 && summary.redisPolls == 50 && summary.runsRecorded == 2 && summary.hostSamples == 50)
        #expect(summary.gaps == 0 && summary.roundTrips == 100 && summary.commands == 500)
        #expect(rig.source.connectAttempts == [t0])
    }

    @Test func failuresTakeTheirErrorClassFromRetryAndDeadAndAnUnexplainedOneIsUnknownAfter25Seconds() throws {
        let t0 = Self.t0
        // Three runs vanish at the beat at t0+20, which also flushes three failures into stat:failed.
        let rig = try Rig { t in
            let beat = Self.beat(t)
            var world = ScriptedStateSource.World(failed: beat < t0 + 20 ? 7 : 10)
            world.processes = [Self.process(Self.local, beat: beat)]
            if beat < t0 + 20 {
                world.busy = [Self.job("d", runAt: t0 - 3, tid: "t1", jobClass: "PoisonJob"),
                              Self.job("r", runAt: t0 - 3, tid: "t2", jobClass: "FlakyJob"),
                              Self.job("u", runAt: t0 - 3, tid: "t3", jobClass: "QuietJob")]
            }
            return world
        }
        // "d" died at t0+20; "r" waits in retry for t0+50; "u" left no trace (retry: false).
        rig.source.dead = [(t0 + 20, #"{"class":"PoisonJob","jid":"d","error_class":"ArgumentError"}"#)]
        rig.source.retry = [(t0 + 50, #"{"class":"FlakyJob","jid":"r","error_class":"IOError"}"#),
                            (t0 + 5000, #"{"class":"FlakyJob","jid":"old","error_class":"IOError"}"#)]
        var uFirstStored: Double?
        _ = try rig.record(for: 50) { now in
            if uFirstStored == nil, (try? rig.store.runs().contains { $0.jid == "u" }) == true { uFirstStored = now }
        }

        // The poll after the one that saw them end asks retry/dead about exactly those three.
        #expect(rig.source.polls.filter { !$0.checked.isEmpty } == [.init(t: t0 + 21, includeSchedules: false, checked: ["d", "r", "u"])])
        let runs = Dictionary(uniqueKeysWithValues: try rig.store.runs().map { ($0.jid ?? "", $0) })
        #expect(runs.count == 3)
        #expect(runs["d"]?.outcome == .failed && runs["d"]?.errorClass == "ArgumentError")
        #expect(runs["r"]?.outcome == .failed && runs["r"]?.errorClass == "IOError")
        #expect(runs["u"]?.outcome == .unknown && runs["u"]?.errorClass == nil)
        #expect(runs["u"]?.end.earliest == t0 + 10 && runs["u"]?.end.latest == t0 + 20)
        // Two failures found explain two of the three: "u" waits 25 s after the poll that saw it end.
        #expect(uFirstStored == t0 + 45)
    }

    @Test func aRedisOutageLeavesARedisGapWhileTheHostIsStillSampledAndReconnectsAtMostOnceASecond() throws {
        let t0 = Self.t0
        let rig = try Rig { t in
            ScriptedStateSource.World(processes: [Self.process(Self.local, beat: Self.beat(t))], busy: [Self.job("a", runAt: t0 - 5)])
        }
        rig.options.interval = 0.5
        rig.source.unreachable = { $0 >= t0 + 3 && $0 < t0 + 6 }
        let summary = try rig.record(for: 10)

        #expect(rig.sampler.sampledAt.count == 20, "every poll samples the host, Redis or not")
        // Down from the failed poll at t0+3; tried at 3.5, 4.5, 5.5 (not every 0.5 s poll); back at 6.5.
        #expect(rig.source.connectAttempts == [t0, t0 + 3.5, t0 + 4.5, t0 + 5.5, t0 + 6.5])
        let gaps = try rig.store.gaps()
        #expect(gaps.count == 1)
        #expect(gaps.first?.kind == .redis && gaps.first?.from == t0 + 3 && gaps.first?.to == t0 + 6.5)
        #expect(gaps.first?.reason.contains("Connection reset by peer") == true)
        #expect(rig.logs.contains { $0.hasPrefix("Redis unreachable") })
        #expect(rig.logs.contains("Redis answers again after 3.5s"))
        #expect(summary.redisPolls == 13 && summary.polls == 20 && summary.gaps == 1)
        // The job running across the outage is one run, still running when recording stopped.
        let runs = try rig.store.runs()
        #expect(runs.count == 1 && runs.first?.outcome == .running && runs.first?.start == t0 - 5)
        // While Redis is down a wait ends in time for the next host sample; the full timeout is back after.
        #expect(rig.source.timeoutChanges.map(\.t) == [t0 + 3, t0 + 6.5])
        #expect(rig.source.timeoutChanges.map(\.seconds) == [0.25, rig.options.timeout])
    }

    @Test func redisStillDownWhenRecordingStopsClosesTheGapAtTheStop() throws {
        let t0 = Self.t0
        let rig = try Rig { _ in ScriptedStateSource.World() }
        rig.source.unreachable = { $0 >= t0 + 8 }
        _ = try rig.record(for: 10)
        let gaps = try rig.store.gaps()
        #expect(gaps.map(\.kind) == [.redis] && gaps.first?.from == t0 + 8 && gaps.first?.to == t0 + 10)
    }

    @Test func processesThatStopBeatingLeaveHeartbeatGapsAndAnExpiredOneLosesItsRuns() throws {
        let t0 = Self.t0
        let third = "third:30:ccc"
        let rig = try Rig { t in
            var world = ScriptedStateSource.World()
            // Silent from its beat at t0+10 until it beats again at t0+60.
            world.processes.append(Self.process(Self.local, beat: t < t0 + 60 ? min(Self.beat(t), t0 + 10) : Self.beat(t)))
            // Silent after t0+20; its hash expires at t0+55; it leaves the process set at t0+70.
            if t < t0 + 55 {
                world.processes.append(Self.process(Self.remote, beat: min(Self.beat(t), t0 + 20)))
                world.busy.append(Self.job("x", runAt: t0 - 1, identity: Self.remote))
            } else if t < t0 + 70 {
                world.processes.append(Self.process(Self.remote, beat: nil, state: .gone))
            }
            // Beats once and never again.
            world.processes.append(Self.process(third, beat: t0))
            return world
        }
        let summary = try rig.record(for: 100)

        let gaps = try rig.store.gaps()
        #expect(gaps.map(\.kind) == [.heartbeat, .heartbeat, .heartbeat])
        #expect(gaps.map(\.from) == [t0, t0 + 10, t0 + 20])
        #expect(gaps.map(\.to) == [t0 + 100, t0 + 60, t0 + 70])
        #expect(gaps.map(\.reason) == [
            "\(third): no heartbeat for over 30 s (still silent when recording stopped)",
            "\(Self.local): no heartbeat for over 30 s",
            "\(Self.remote): no heartbeat for over 30 s; then left the process set",
        ])
        #expect(summary.gaps == 3)
        let runs = try rig.store.runs()
        #expect(runs.count == 1)
        #expect(runs.first?.outcome == .lost && runs.first?.end.earliest == t0 + 20 && runs.first?.end.latest == t0 + 55)
    }

    @Test func aHostStarvedForThreeIntervalsLeavesAHostGapAndPollingResumesWithoutCatchingUp() throws {
        let t0 = Self.t0
        let rig = try Rig { _ in ScriptedStateSource.World() }
        // Oversleeps 4 s after the poll at t0+5 (a gap of 5 s), and 1.5 s after t0+12 (2.5 s: no gap).
        rig.clock.stalls = [t0 + 5: 4, t0 + 12: 1.5]
        let summary = try rig.record(for: 20)

        // Behind schedule, it polls once right away (instant here: polls take no manual time), then every
        // interval from there: the missed polls are not made up.
        let expected = [0, 1, 2, 3, 4, 5, 10, 10, 11, 12, 14.5, 14.5, 15.5, 16.5, 17.5, 18.5, 19.5].map { t0 + $0 }
        #expect(rig.sampler.sampledAt == expected)
        let gaps = try rig.store.gaps()
        #expect(gaps.count == 1)
        #expect(gaps.first?.kind == .host && gaps.first?.from == t0 + 5 && gaps.first?.to == t0 + 10)
        #expect(gaps.first?.reason == "no host sample for 5.0s: the host or the recorder was starved")
        #expect(summary.polls == 17 && summary.hostSamples == 17 && summary.gaps == 1)
    }

    @Test func theMemoryCgroupOfLocalProcessesAndTheHostsKernelCountersReachTheStore() throws {
        let t0 = Self.t0
        let local2 = "worker1:11:ccc"
        let rig = try Rig { t in
            var world = ScriptedStateSource.World(failed: 0)
            world.processes = [Self.process(Self.local, beat: Self.beat(t)), Self.process(local2, beat: Self.beat(t)),
                               Self.process(Self.remote, beat: Self.beat(t))]
            return world
        }
        rig.sampler.usage = [10: (cpuPct: 5, rssKiB: 5000), 11: (cpuPct: 5, rssKiB: 6000)]
        // Both local processes live in one service cgroup with a 512 MiB limit: it fills up, and at t0+30 the
        // kernel kills a process in it.
        let service: (Double) -> CgroupMemory? = { t in
            let full = t >= t0 + 20
            var memory = CgroupMemory(version: .v2, path: "/system.slice/sidekiq.service",
                                      usageBytes: (full ? 511 : 300) << 20, inactiveFileBytes: 1 << 20, limitBytes: 512 << 20,
                                      limitHits: full ? UInt64(t - t0) : 0, oomKills: t >= t0 + 30 ? 1 : 0)
            memory.oomEvents = t >= t0 + 30 ? 2 : 0
            memory.highEvents = 7
            return memory
        }
        rig.sampler.cgroups = [10: service, 11: service]
        rig.sampler.decorate = { sample in
            sample.memTotalKiB = 24 << 20
            sample.memAvailableKiB = 20 << 20
            sample.oomKills = sample.t >= t0 + 30 ? 6 : 5
            sample.majorFaults = 61085
            sample.bootId = "02bca177-4e97-440d-8473-e7f0d785131e"
            sample.bootTime = 1796397241
        }
        _ = try rig.record(for: 40)

        let first = try rig.store.processCgroups(identity: Self.local)
        #expect(first.count == 40)
        #expect(first.allSatisfy { $0.cgroupPath == "/system.slice/sidekiq.service" && $0.cgroupLimitKiB == 512 * 1024 })
        #expect(first.first?.cgroupUsageKiB == 300 * 1024 && first.last?.cgroupUsageKiB == 511 * 1024)
        #expect(first.first?.cgroupInactiveFileKiB == 1024 && first.last?.cgroupLimitHits == 39)
        #expect(first.map(\.cgroupOOMKills) == (0..<40).map { $0 >= 30 ? 1 : 0 })
        #expect(first.map(\.cgroupOOMEvents) == (0..<40).map { $0 >= 30 ? 2 : 0 })
        #expect(first.allSatisfy { $0.cgroupHighEvents == 7 && $0.cgroupUnderOOM == nil })
        // The second process in the same cgroup names it; its reading is stored once, on the first.
        let second = try rig.store.processCgroups(identity: local2)
        #expect(second.count == 40 && second.allSatisfy { $0.cgroupPath == "/system.slice/sidekiq.service" && $0.cgroupUsageKiB == nil })
        // A process on another host has no cgroup this recorder can read.
        #expect(try rig.store.processCgroups(identity: Self.remote).allSatisfy { $0.cgroupPath == nil && $0.cgroupUsageKiB == nil })
        let hosts = try rig.store.hostSamples()
        #expect(hosts.count == 40 && hosts.allSatisfy { $0.bootId == "02bca177-4e97-440d-8473-e7f0d785131e" && $0.majorFaults == 61085 })
        #expect(hosts.map(\.oomKills) == (0..<40).map { $0 >= 30 ? 6 : 5 })

        // Loaded for `incident`: one point per cgroup and instant, and windows measured against the 512 MiB limit.
        let dataset = try rig.store.incidentDataset(from: t0, to: t0 + 39)
        #expect(dataset.cgroups == ["/system.slice/sidekiq.service"] && dataset.cgroupPoints.count == 40)
        #expect(dataset.cgroupPoints.last?.workingSetMB == 510 && dataset.cgroupPoints.last?.limitMB == 512)
        let windows = OutageWindowDetector().detect(dataset, from: t0, to: t0 + 39)
        #expect(windows.count == 1 && windows.first?.memoryExhausted == true)
        let signals = windows.first?.signals ?? []
        #expect(signals.contains { $0.hasPrefix("cgroup /system.slice/sidekiq.service memory ≥ 95 % of its 512 MB limit for 20s") })
        #expect(signals.contains { $0.contains("host memory 17 % used") })
        #expect(signals.contains("the kernel's OOM killer killed 1 process (/proc/vmstat oom_kill 5 → 6)"))
        #expect(signals.contains("cgroup /system.slice/sidekiq.service: 1 OOM kill at its memory limit (its oom_kill counter 0 → 1)"))
    }

    @Test func retentionPrunesAtTheStartAndThenOnceAMinute() throws {
        let t0 = Self.t0
        let rig = try Rig { _ in ScriptedStateSource.World() }
        var old = RecordBatch()
        old.hostSamples = [HostSample(t: t0 - 1000, host: "worker1", source: .proc)]
        old.runs = [JobRun(jid: "old", jobClass: "OldJob", queue: "default", identity: Self.local, host: "worker1", pid: 10, tid: "t1",
                           start: t0 - 1000, end: .between(t0 - 990, t0 - 980), outcome: .ok, source: .poll)]
        try rig.store.write(old)
        rig.options.retain = 30
        _ = try rig.record(for: 70)

        // Pruned at t0 (the old rows) and at t0+60 (the samples before t0+30); the 70 polls leave 40.
        #expect(try rig.store.runs().isEmpty)
        let counts = try rig.store.counts()
        #expect(counts["host_sample"] == 40 && counts["set_sample"] == 40)
    }

    @Test func aRunInProgressWhenRecordingStopsIsContinuedByTheNextRecording() throws {
        let t0 = Self.t0
        let first = try Rig { t in
            ScriptedStateSource.World(processes: [Self.process(Self.local, beat: Self.beat(t))], busy: [Self.job("a", runAt: t0 - 5)])
        }
        _ = try first.record(for: 15)
        #expect(try first.store.runs().map(\.outcome) == [.running])
        #expect(try first.store.runs().first?.end.earliest == t0 + 10)

        // The next session starts at t0+100 and sees the job gone at its first beat.
        let second = try Rig(store: first.store, wallStart: t0 + 100) { t in
            ScriptedStateSource.World(processes: [Self.process(Self.local, beat: Self.beat(t))])
        }
        let summary = try second.record(for: 30)
        #expect(second.logs.first == "continuing 1 runs that were in progress when the last recording stopped")
        let runs = try second.store.runs()
        #expect(runs.count == 1)
        #expect(runs.first?.jid == "a" && runs.first?.start == t0 - 5 && runs.first?.end == .between(t0 + 10, t0 + 100))
        // The previous session's counter is unknown, so success cannot be told apart: unknown, after the wait.
        #expect(runs.first?.outcome == .unknown)
        #expect(summary.runsRecorded == 1)
    }
}
