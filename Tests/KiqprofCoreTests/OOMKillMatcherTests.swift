import Foundation
import Testing
@testable import KiqprofCore

/// An OOM kill matched to the Sidekiq process of its host and pid, the runs it had in flight, and the restart.
@Suite("incident: OOM kills matched to processes and runs")
struct OOMKillMatcherTests {
    /// vm:4242 runs GrowJob from t=100 (still open when killed at t=160) after a short PushJob; its RSS grows from
    /// 500 to 1400 MB; the same host's Sidekiq comes back as pid 4301 at t=200.
    static func dataset() -> IncidentDataset {
        var dataset = IncidentDataset()
        dataset.hosts = ["vm"]
        dataset.classes = ["GrowJob", "PushJob"]
        dataset.identities = ["vm:4242:a1b2c3d4e5f6", "vm:4301:0f0e0d0c0b0a"]
        dataset.runs = [
            .init(classIndex: 1, start: 50, end: .exact(60), outcome: .ok, source: .log, openUntil: 300, identityIndex: 0, hostIndex: 0,
                  pid: 4242),
            .init(classIndex: 0, start: 100, end: .openSince(150), outcome: .running, source: .poll, openUntil: 300, identityIndex: 0,
                  hostIndex: 0, pid: 4242),
            .init(classIndex: 1, start: 200, end: .exact(201), outcome: .ok, source: .poll, openUntil: 300, identityIndex: 1,
                  hostIndex: 0, pid: 4301),
        ]
        dataset.processPoints = [
            .init(t: 90, identityIndex: 0, cpuPct: 10, rssMB: 500), .init(t: 150, identityIndex: 0, cpuPct: 90, rssMB: 1400),
            .init(t: 205, identityIndex: 1, cpuPct: 5, rssMB: 300),
        ]
        dataset.oomKills = [OOMKill(t: 160, host: "vm", pid: 4242, process: "ruby", rssKiB: 1_638_400,
                                    cgroup: "/system.slice/mastodon-sidekiq.service", constraint: "CONSTRAINT_NONE", trigger: "ruby")]
        return dataset
    }

    @Test func theKillNamesTheProcessTheRunInFlightItsGrowthAndTheRestart() throws {
        let findings = OOMKillMatcher.findings(Self.dataset(), from: 0, to: 300)
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.sidekiqProcess == "vm:4242:a1b2c3d4e5f6")
        #expect(finding.runs.map(\.jobClass) == ["GrowJob"], "the PushJob run had ended; the restart's is another process's")
        #expect(finding.runs.first?.processRSSGrowthMB == 900)
        #expect(finding.restartPid == 4301 && finding.restartAt == 200)
        let sentence = OOMKillMatcher.sentence(finding)
        #expect(sentence.contains("killed Sidekiq pid 4242 (ruby) on vm"), "\(sentence)")
        #expect(sentence.contains("RSS 1600 MB") && sentence.contains("the host ran out of memory"), "\(sentence)")
        #expect(sentence.contains("while it ran GrowJob (started") && sentence.contains("RSS +900 MB during the run"), "\(sentence)")
        #expect(sentence.contains("restarted as pid 4301 40s later"), "\(sentence)")
    }

    @Test func theAnalysisPutsTheKillInAMemoryWindowAndInTheSuspectsEvidence() throws {
        let analysis = IncidentAnalyzer().analyze(Self.dataset(), from: 0, to: 300)
        #expect(analysis.oomKills.count == 1)
        let window = try #require(analysis.outageWindows.first { $0.signals.contains { $0.hasPrefix("OOM kill: pid 4242") } })
        #expect(window.memoryExhausted && window.to == 160)
        let grow = try #require(analysis.profiles.first { $0.jobClass == "GrowJob" })
        #expect(grow.evidence.contains { $0.hasPrefix("in flight when the OOM killer killed its process (pid 4242 at") })
        let push = try #require(analysis.profiles.first { $0.jobClass == "PushJob" })
        #expect(push.inFlightAtOOMKills.isEmpty)
        let json = try JSONSerialization.jsonObject(with: Data(IncidentRenderer.json(analysis).serialized().utf8)) as? [String: Any]
        let kill = try #require((json?["oom_kills"] as? [[String: Any]])?.first)
        #expect(kill["pid"] as? Int == 4242 && kill["restart_pid"] as? Int == 4301 && kill["rss_mb"] as? Double == 1600)
        #expect((kill["runs_in_flight"] as? [[String: Any]])?.first?["class"] as? String == "GrowJob")
        #expect(IncidentRenderer.text(analysis).contains("OOM kills (1)"))
    }

    @Test func aFrozenHostsSilenceIsItselfEvidenceAndTheClassRunningIntoItIsInTheWindow() throws {
        var dataset = IncidentDataset()
        dataset.hosts = ["vm"]
        dataset.classes = ["GrowJob", "PushJob"]
        // Samples every second until t=100, memory reaching 98 %, then nothing until t=940; a GrowJob run is open
        // across the silence, and the only PushJob runs are before it and after it.
        dataset.hostPoints = (0...100).map { .init(t: Double($0), hostIndex: 0, cpuBusyPct: 60, memUsedPct: $0 > 92 ? 98 : 50) }
            + (940...960).map { .init(t: Double($0), hostIndex: 0, cpuBusyPct: 20, memUsedPct: 40) }
        dataset.runs = [
            .init(classIndex: 1, start: 10, end: .exact(11), outcome: .ok, source: .log, openUntil: 960, hostIndex: 0, pid: 1),
            .init(classIndex: 0, start: 90, end: .unknown, outcome: .running, source: .log, openUntil: 960, hostIndex: 0, pid: 1),
            .init(classIndex: 1, start: 945, end: .exact(946), outcome: .ok, source: .log, openUntil: 960, hostIndex: 0, pid: 2),
        ]
        let analysis = IncidentAnalyzer().analyze(dataset, from: 0, to: 960)
        let window = try #require(analysis.outageWindows.first { $0.signals.contains { $0.contains("no host sample") } })
        let signal = try #require(window.signals.first { $0.contains("no host sample") })
        #expect(signal.contains("no host sample and no job start or end for 14m00s") && signal.contains("memory was at 98 %"), "\(signal)")
        #expect(signal.contains("a host out of memory thrashes") && window.memoryExhausted)
        let grow = try #require(analysis.profiles.first { $0.jobClass == "GrowJob" })
        #expect(grow.inOutageWindows == 1 && grow.runningAtOnset == 1, "the class running into the silence")
        let push = try #require(analysis.profiles.first { $0.jobClass == "PushJob" })
        #expect(push.runningAtOnset == 0)
    }

    @Test func aKillOfAProcessTheStoreDoesNotKnowSaysSo() {
        var dataset = Self.dataset()
        dataset.oomKills = [OOMKill(t: 160, host: "vm", pid: 999, process: "postgres")]
        let finding = OOMKillMatcher.findings(dataset, from: 0, to: 300)[0]
        #expect(finding.sidekiqProcess == nil && finding.runs.isEmpty)
        #expect(OOMKillMatcher.sentence(finding).contains("no Sidekiq process of that pid is in the store"))
    }
}
