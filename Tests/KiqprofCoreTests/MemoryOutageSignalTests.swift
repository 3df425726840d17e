import Foundation
import Testing
@testable import KiqprofCore

/// Outage windows from the kernel's memory accounting: a cgroup at its limit on a host with plenty of RAM,
/// OOM kills the kernel counted, a major-fault storm, a reboot; each signal carries its numbers.
@Suite("outage windows: cgroup limits, OOM kills, major faults, reboots")
struct MemoryOutageSignalTests {
    static let t0 = 1_800_000_000.0
    static let service = "/system.slice/sidekiq.service"

    /// One host sampled every second for 10 minutes: 24000 MB of RAM, 20 % in use, 2 major faults a second.
    static func host(seconds: Int = 600, change: (Int, inout IncidentDataset.HostPoint) -> Void = { _, _ in }) -> IncidentDataset {
        var dataset = IncidentDataset()
        dataset.hosts = ["vm"]
        dataset.bootIds = ["02bca177-4e97-440d-8473-e7f0d785131e", "7c1e55aa-0000-4000-8000-000000000001"]
        var faults: Int64 = 61085
        for second in 0...seconds {
            var point = IncidentDataset.HostPoint(t: t0 + Double(second), hostIndex: 0, cpuBusyPct: 10, memUsedMB: 4800,
                                                  memTotalMB: 24000, memUsedPct: 20, swapUsedMB: 0)
            faults += 2
            point.majorFaults = faults
            point.oomKills = 5
            point.bootIndex = 0
            point.bootTime = 1796397241
            change(second, &point)
            dataset.hostPoints.append(point)
        }
        return dataset
    }

    /// The service's cgroup with a 512 MB limit, read every second over [from, to] seconds.
    static func cgroup(_ dataset: inout IncidentDataset, from: Int, to: Int,
                       reading: (Int) -> (usage: Double, workingSet: Double, hits: Int64, kills: Int64)) {
        dataset.cgroups = [service]
        for second in from...to {
            let value = reading(second)
            dataset.cgroupPoints.append(IncidentDataset.CgroupPoint(
                t: t0 + Double(second), hostIndex: 0, cgroupIndex: 0, usageMB: value.usage, workingSetMB: value.workingSet,
                limitMB: 512, limitHits: value.hits, oomKills: value.kills))
        }
    }

    static func windows(_ dataset: IncidentDataset) -> [OutageWindow] {
        OutageWindowDetector().detect(dataset, from: t0, to: t0 + 600)
    }

    @Test func aCgroupAtItsLimitIsAMemoryOutageWhileTheHostHasPlentyOfRAM() throws {
        var dataset = Self.host()
        // 300 MB for two minutes, then 510 of 512 MB (limit hit 40 times a second) for 80 s, then back.
        Self.cgroup(&dataset, from: 0, to: 600) { second in
            let atLimit = second >= 120 && second < 200
            let hits = Int64(max(0, min(second, 200) - 120) * 40)
            return atLimit ? (511, 510, hits, 0) : (300, 290, hits, 0)
        }
        let windows = Self.windows(dataset)
        #expect(windows.count == 1)
        let window = try #require(windows.first)
        #expect(window.memoryExhausted)
        #expect(window.from == Self.t0 + 119 && window.to == Self.t0 + 199)
        #expect(window.signals == [
            "cgroup \(Self.service) memory ≥ 95 % of its 512 MB limit for 1m20s (peak 100 %, 510 MB in use less reclaimable page"
                + " cache; limit hit 3160 times; host memory 20 % used)",
        ])
        #expect(!window.signals.contains { $0.contains("MemAvailable") })
    }

    @Test func pageCacheUpToTheLimitIsNotAnOutage() {
        var dataset = Self.host()
        // Usage at the limit, but 200 MB of it inactive page cache the kernel drops first.
        Self.cgroup(&dataset, from: 0, to: 600) { _ in (511, 311, 0, 0) }
        #expect(Self.windows(dataset).isEmpty)
    }

    @Test func oomKillsCountedByVmstatAndByTheCgroup() throws {
        var dataset = Self.host { second, point in
            if second >= 300 { point.oomKills = 6 }
        }
        Self.cgroup(&dataset, from: 0, to: 600) { second in second >= 301 ? (100, 100, 0, 3) : (100, 100, 0, 2) }
        let window = try #require(Self.windows(dataset).first)
        #expect(window.memoryExhausted)
        #expect(window.signals.contains("the kernel's OOM killer killed 1 process (/proc/vmstat oom_kill 5 → 6)"))
        #expect(window.signals.contains("cgroup \(Self.service): 1 OOM kill at its memory limit (its oom_kill counter 2 → 3)"))
        #expect(window.from == Self.t0 + 299 && window.to == Self.t0 + 301)
    }

    @Test func throttlingOverMemoryHighAndAV1CgroupFrozenUnderOOM() throws {
        var dataset = Self.host()
        Self.cgroup(&dataset, from: 0, to: 600) { _ in (200, 200, 0, 0) }
        for index in dataset.cgroupPoints.indices {
            let second = index
            dataset.cgroupPoints[index].highEvents = second < 100 ? 10 : second < 130 ? Int64(10 + (second - 99) * 8) : 250
            dataset.cgroupPoints[index].underOOM = (400..<460).contains(second)
        }
        let windows = Self.windows(dataset)
        #expect(windows.count == 2 && windows.allSatisfy(\.memoryExhausted))
        #expect(windows.first?.signals == [
            "cgroup \(Self.service): over memory.high 240 times, its processes throttled into reclaim (memory.events high 10 → 250)",
        ])
        #expect(windows.last?.signals == [
            "cgroup \(Self.service) under OOM with the OOM killer disabled for 1m00s: its processes wait for memory"
                + " (memory.oom_control under_oom 1)",
        ])
    }

    @Test func aMajorFaultStormFarAboveTheBaseline() throws {
        let dataset = Self.host { second, point in
            // 3000 faults a second for 40 s; a 5 s burst of 1000 a second earlier is too short to count.
            if (200..<240).contains(second) { point.majorFaults = (point.majorFaults ?? 0) + 2998 * Int64(second - 199) }
            if second >= 240 { point.majorFaults = (point.majorFaults ?? 0) + 2998 * 40 }
        }
        let windows = Self.windows(dataset)
        #expect(windows.count == 1)
        let window = try #require(windows.first)
        #expect(window.memoryExhausted)
        #expect(window.signals == ["major page faults ≥ 200/s for 40s (peak 3000/s, median 2/s): pages re-read from disk, thrashing"])
        var short = Self.host { second, point in
            if (100..<105).contains(second) { point.majorFaults = (point.majorFaults ?? 0) + 998 * Int64(second - 99) }
            if second >= 105 { point.majorFaults = (point.majorFaults ?? 0) + 998 * 5 }
        }
        short.cgroupPoints = []
        #expect(Self.windows(short).isEmpty)
    }

    @Test func aRebootIsTheBootIdChanging() throws {
        let dataset = Self.host { second, point in
            if second >= 400 {
                point.bootIndex = 1
                point.bootTime = Self.t0 + 390
                point.oomKills = 0  // counters start again: no rise is read across the reboot
                point.majorFaults = 10
            }
        }
        let windows = Self.windows(dataset)
        #expect(windows.count == 1)
        let window = try #require(windows.first)
        #expect(!window.memoryExhausted)
        #expect(window.signals == ["host rebooted (boot id 02bca177… → 7c1e55aa…, booted 2027-01-15 08:06:30Z; no sample for 1.0s)"])
    }

    @Test func theAnalysisMeasuresMemoryAgainstTheCgroupLimitAndSaysSoInJSON() throws {
        var dataset = Self.host()
        Self.cgroup(&dataset, from: 0, to: 600) { second in (120..<200).contains(second) ? (511, 510, 0, 0) : (300, 290, 0, 0) }
        let analysis = IncidentAnalyzer().analyze(dataset, from: Self.t0, to: Self.t0 + 600)
        #expect(analysis.hostMemoryTotalMB == 24000 && analysis.memoryLimitMB == 512 && analysis.memoryBudgetMB == 512)
        let serialized = IncidentRenderer.json(analysis).serialized()
        let json = try #require(JSONSerialization.jsonObject(with: Data(serialized.utf8)) as? [String: Any])
        let data = try #require(json["data"] as? [String: Any])
        #expect((data["memory_limit_mb"] as? NSNumber)?.doubleValue == 512 && (data["host_memory_mb"] as? NSNumber)?.doubleValue == 24000)
        let windows = try #require(json["outage_windows"] as? [[String: Any]])
        #expect((windows.first?["signals"] as? [String])?.first?.contains("of its 512 MB limit") == true)

        // Two limited cgroups on one host bound their own processes: their limits add up, at most to the host's RAM.
        var two = dataset.cgroupPoints
        two.append(IncidentDataset.CgroupPoint(t: Self.t0, hostIndex: 0, cgroupIndex: 1, usageMB: 10, limitMB: 1024))
        #expect(MemoryOutageSignals.limitMB(two, from: Self.t0, to: Self.t0 + 600, hostMemoryMB: 24000) == 1536)
        #expect(MemoryOutageSignals.limitMB(two, from: Self.t0, to: Self.t0 + 600, hostMemoryMB: 1000) == 1000)
        let unlimited = [IncidentDataset.CgroupPoint(t: Self.t0, hostIndex: 0, cgroupIndex: 0, usageMB: 10, limitMB: nil)]
        #expect(MemoryOutageSignals.limitMB(unlimited, from: Self.t0, to: Self.t0 + 600, hostMemoryMB: 24000) == nil)
    }
}
