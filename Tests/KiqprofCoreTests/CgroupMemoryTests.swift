import Foundation
import Testing
@testable import KiqprofCore

/// Memory cgroups read from captured v1 files and hand-written v2 files (Tests/Fixtures/cgroup/README.md has
/// the facts): the parsers on file contents, and the sampler finding each process's cgroup under a root.
@Suite("memory cgroups: v1 and v2 files, limits, OOM counters")
struct CgroupMemoryTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cgroup")
    static let hostBytes: UInt64 = 24683792 * 1024

    static func file(_ path: String) throws -> [UInt8] {
        try #require(FileReader.readAll(directory.appendingPathComponent(path).path))
    }

    static func text(_ path: String) throws -> Substring {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)[...]
    }

    static func sampler(_ fixture: String) -> ProcHostSampler {
        let root = directory.appendingPathComponent(fixture)
        return ProcHostSampler(root: root.appendingPathComponent("proc").path, cgroupRoot: root.appendingPathComponent("sys").path)
    }

    @Test func membershipFindsTheMemoryControllerAndTheUnifiedLine() throws {
        let hybrid = CgroupMemory.membership(try Self.text("v1/near-limit/proc/466/cgroup"))
        #expect(hybrid.v1Memory == "/kiqprof-test" && hybrid.unified == "/")
        let v2 = CgroupMemory.membership(try Self.text("v2/service-limit/proc/4242/cgroup"))
        #expect(v2.v1Memory == nil && v2.unified == "/system.slice/sidekiq.service")
        // Co-mounted controllers, and a path with a colon in it.
        let odd = CgroupMemory.membership("5:cpuacct,memory:/docker/a:b\n3:cpu:/\n")
        #expect(odd.v1Memory == "/docker/a:b" && odd.unified == nil)
    }

    @Test func v1FilesNearTheLimit() throws {
        let base = "v1/near-limit/sys/memory/kiqprof-test/"
        let memory = try #require(CgroupMemory.parseV1(
            path: "/kiqprof-test", usage: try Self.file(base + "memory.usage_in_bytes"),
            limit: try Self.file(base + "memory.limit_in_bytes"),
            oomControl: try Self.file(base + "memory.oom_control"), failcnt: try Self.file(base + "memory.failcnt"),
            stat: try Self.file(base + "memory.stat"), hostMemoryBytes: Self.hostBytes))
        #expect(memory.version == .v1)
        #expect(memory.usageBytes == 64610304 && memory.limitBytes == 67108864)
        #expect(memory.inactiveFileBytes == 4096 && memory.workingSetBytes == 64606208)
        #expect(memory.limitHits == 0 && memory.oomKills == 0 && memory.underOOM == false)
        #expect(memory.oomEvents == nil && memory.highEvents == nil)
    }

    @Test func v1FilesAfterAnOOMKillAndV1sUnlimited() throws {
        let base = "v1/after-oom/sys/memory/kiqprof-test/"
        let killed = try #require(CgroupMemory.parseV1(
            path: "/kiqprof-test", usage: try Self.file(base + "memory.usage_in_bytes"),
            limit: try Self.file(base + "memory.limit_in_bytes"),
            oomControl: try Self.file(base + "memory.oom_control"), failcnt: try Self.file(base + "memory.failcnt"),
            hostMemoryBytes: Self.hostBytes))
        #expect(killed.oomKills == 2 && killed.limitHits == 549 && killed.usageBytes == 237568)
        let unlimited = "v1/unlimited/sys/memory/process_api/b5b376a0b295ac58c59215ddebe9c6be/memory.limit_in_bytes"
        #expect(CgroupMemory.parseLimit(try Self.file(unlimited), hostMemoryBytes: Self.hostBytes) == nil)
        #expect(CgroupMemory.parseLimit(try Self.file(unlimited), hostMemoryBytes: nil) == nil)
        // A limit above the host's RAM never binds; one below it does.
        #expect(CgroupMemory.parseLimit(Array("34359738368\n".utf8), hostMemoryBytes: Self.hostBytes) == nil)
        #expect(CgroupMemory.parseLimit(Array("34359738368\n".utf8), hostMemoryBytes: nil) == 34359738368)
        #expect(CgroupMemory.parseV1(path: "/", usage: [], limit: nil, hostMemoryBytes: nil) == nil)
    }

    @Test func v2FilesWithMaxAndEvents() throws {
        let base = "v2/service-limit/sys/system.slice/sidekiq.service/"
        let memory = try #require(CgroupMemory.parseV2(
            path: "/system.slice/sidekiq.service", current: try Self.file(base + "memory.current"), max: try Self.file(base + "memory.max"),
            events: try Self.file(base + "memory.events"), stat: try Self.file(base + "memory.stat"), hostMemoryBytes: Self.hostBytes))
        #expect(memory.version == .v2 && memory.usageBytes == 535859200 && memory.limitBytes == 536870912)
        #expect(memory.limitHits == 1874 && memory.oomKills == 2 && memory.inactiveFileBytes == 1048576)
        #expect(memory.oomEvents == 3 && memory.highEvents == 0 && memory.underOOM == nil)
        #expect(CgroupMemory.parseLimit(Array("max\n".utf8), hostMemoryBytes: Self.hostBytes) == nil)
    }

    @Test func samplerReadsTheCapturedV1CgroupOfAProcess() throws {
        let sampler = Self.sampler("v1/near-limit")
        let host = sampler.sample(at: 100, host: "vm")  // reads MemTotal first: limits are judged against it
        #expect(host.memTotalKiB == 24683792 && host.oomKills == 5 && host.majorFaults == 61085)
        #expect(host.swapIns == 0 && host.swapOuts == 0)
        #expect(host.bootId == "02bca177-4e97-440d-8473-e7f0d785131e" && host.bootTime == 1796397241)
        let memory = try #require(sampler.cgroupMemory(pid: 466, at: 100))
        #expect(memory.path == "/kiqprof-test" && memory.version == .v1)
        #expect(memory.usageBytes == 64610304 && memory.limitBytes == 67108864 && memory.oomKills == 0)
        #expect(sampler.cgroupMemory(pid: 999_999, at: 100) == nil)
    }

    @Test func samplerTreatsV1sUnlimitedAsNoLimit() throws {
        let memory = try #require(Self.sampler("v1/unlimited").cgroupMemory(pid: 27782, at: 1))
        #expect(memory.path == "/process_api/b5b376a0b295ac58c59215ddebe9c6be")
        #expect(memory.limitBytes == nil && memory.usageBytes == 10657792)
    }

    @Test func samplerFindsV2ServicesSlicesAndContainers() throws {
        let service = try #require(Self.sampler("v2/service-limit").cgroupMemory(pid: 4242, at: 1))
        #expect(service.path == "/system.slice/sidekiq.service" && service.limitBytes == 536870912 && service.oomKills == 2)
        // The service has no limit of its own: the slice above it bounds it.
        let slice = try #require(Self.sampler("v2/slice-limit").cgroupMemory(pid: 4243, at: 1))
        #expect(slice.path == "/sidekiq.slice" && slice.limitBytes == 1073741824 && slice.usageBytes == 1012924416)
        let container = try #require(Self.sampler("v2/container").cgroupMemory(pid: 1, at: 1))
        #expect(container.path == "/" && container.limitBytes == 2147483648 && container.oomKills == 1 && container.limitHits == 912)
    }

    @Test func samplerReadsThisProcesssCgroup() throws {
        // Only where this machine has a memory controller kiqprof can read (v1, or v2 with memory enabled).
        let v1 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.usage_in_bytes")
        let v2 = (try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.controllers", encoding: .utf8))?.contains("memory") ?? false
        guard v1 || v2 else { return }
        let sampler = ProcHostSampler()
        let host = sampler.sample(at: 1, host: "here")
        #expect(host.bootId?.count == 36 && host.bootTime != nil && host.majorFaults != nil)
        let memory = try #require(sampler.cgroupMemory(pid: Int(getpid()), at: 1))
        #expect(memory.usageBytes > 0 && memory.path.hasPrefix("/"))
    }

    @Test func vmstatAndBootTimeParse() {
        var counters = ProcCounters()
        counters.parseVmstat(Array("nr_free_pages 12\npgmajfault 4711\npswpin 3\npswpout 9\noom_kill 1\noom_kill_x 7\n".utf8))
        counters.parseStat("cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nbtime 1796397241\n")
        #expect(counters.majorFaults == 4711 && counters.swapIns == 3 && counters.swapOuts == 9 && counters.oomKills == 1)
        #expect(counters.bootTime == 1796397241 && counters.cpuCount == 1)
        #expect(KeyedCounters.values(Array("a 1\nab 2\nb x\nc 18446744073709551616\n".utf8),
                                     keys: ["ab", "a", "b", "c", "d"].map { Array($0.utf8) }) == [2, 1, nil, nil, nil])
        #expect(KeyedCounters.single(Array(" 42\n".utf8)) == 42 && KeyedCounters.single(Array("max\n".utf8)) == nil)
    }
}
