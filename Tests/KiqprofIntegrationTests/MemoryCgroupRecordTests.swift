import Foundation
import Testing
@testable import KiqprofCore

/// `kiqprof record` on this machine: a process beating as Sidekiq from inside a real memory cgroup with a
/// 64 MiB limit (made for the test; needs root: without it the test fails under CI=true, else returns) has
/// that cgroup's path, usage and limit in the store, and host samples carry the boot id.
@Suite("record: a local Sidekiq process's real memory cgroup")
struct MemoryCgroupRecordTests {
    @Test func theCgroupOfALocalProcessReachesTheStore() throws {
        guard getuid() == 0 || ProcessInfo.processInfo.environment["CI"] == "true" else {
            print("skipped: a memory cgroup needs root (CI runs this as root)")
            return
        }
        let cgroup = try MemoryCgroup(limitBytes: 64 << 20)
        defer { cgroup.remove() }
        let path = "/" + (cgroup.directory as NSString).lastPathComponent
        // A stand-in for a Sidekiq process: a shell that joins the cgroup, then sleeps.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "echo $$ > \(cgroup.procsPath) && exec sleep 30"]
        try child.run()
        defer {
            kill(child.processIdentifier, SIGKILL)  // SIGTERM may be blocked in the test runner's children
            child.waitUntilExit()
        }
        let pid = Int(child.processIdentifier)
        for _ in 0..<50 where !((try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? "").contains(path) {
            Thread.sleep(forTimeInterval: 0.05)
        }

        let server = try RedisServer()
        defer { server.stop() }
        let host = ProcHostSampler.hostName()
        let identity = "\(host):\(pid):0a1b2c3d4e5f"
        let now = Date().timeIntervalSince1970
        let info = #"{"hostname":"\#(host)","started_at":\#(now - 60),"pid":\#(pid),"tag":"cgroup","concurrency":1,"#
            + #""queues":["default"],"weights":[{"default":0}],"labels":[],"identity":"\#(identity)","version":"7.3.10","embedded":false}"#
        _ = try server.cli("SADD", "processes", identity)
        _ = try server.cli("HSET", identity, "info", info, "busy", "0", "beat", String(now), "quiet", "false", "rss", "1000",
                           "rtt_us", "100")
        let db = server.directory.appendingPathComponent("k.sqlite").path
        let result = try Kiqprof.run(["record", "--redis", server.unixURL, "--db", db, "--interval", "250ms", "--duration", "1500ms"])
        #expect(result.status == 0, "stderr: \(result.stderr)")

        let store = try Store(path: db)
        let samples = try store.processCgroups(identity: identity)
        #expect(!samples.isEmpty)
        #expect(samples.allSatisfy { $0.cgroupPath == path && $0.cgroupLimitKiB == 65536 && ($0.cgroupUsageKiB ?? 0) > 0 })
        #expect(samples.allSatisfy { $0.cgroupOOMKills != nil || $0.cgroupLimitHits != nil })
        let bootId = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8).filter { !$0.isWhitespace }
        let hosts = try store.hostSamples()
        #expect(!hosts.isEmpty && hosts.allSatisfy { $0.bootId == bootId && $0.bootTime != nil && $0.majorFaults != nil })
    }
}
