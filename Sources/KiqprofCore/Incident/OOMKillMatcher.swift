/// What one OOM kill meant for Sidekiq: the process it was, the runs it had in flight (what the OOM killer
/// took down with it, and the classes that were growing memory when it came), and what followed.
public struct OOMKillFinding: Sendable, Equatable {
    /// A run the killed process had in flight.
    public struct RunInFlight: Sendable, Equatable {
        public var jobClass: String
        public var start: Double
        /// How much the process's RSS grew from the run's start to the kill, where `record` sampled it.
        public var processRSSGrowthMB: Double?
    }

    public var kill: OOMKill
    /// The Sidekiq process of that host and pid (its identity when `record` saw it), nil when none matched.
    public var sidekiqProcess: String?
    public var runs: [RunInFlight]
    /// The next Sidekiq process on the host after the kill: its pid and when it first shows.
    public var restartPid: Int?
    public var restartAt: Double?
    /// A boot of the host after the kill (the host was restarted, not only Sidekiq).
    public var rebootAt: Double?
}

/// Matches each OOM kill to the Sidekiq process of its host and pid, the runs in flight, and the restart.
/// Pure: from the dataset alone, so the kernel log and the Sidekiq log may be imported in either order.
public enum OOMKillMatcher {
    /// How close to the kill a run must reach to count as in flight: a log's run ends at its last line, a
    /// polled run's end lies in its bracket.
    static let tolerance = 1.0

    public static func findings(_ dataset: IncidentDataset, from: Double, to: Double) -> [OOMKillFinding] {
        dataset.oomKills.filter { $0.t >= from && $0.t <= to }.map { finding(for: $0, in: dataset) }
    }

    static func finding(for kill: OOMKill, in dataset: IncidentDataset) -> OOMKillFinding {
        let host = dataset.hosts.firstIndex(of: kill.host).map(Int32.init) ?? -2
        let pid = Int32(kill.pid)
        let own = dataset.runs.filter { $0.hostIndex == host && $0.pid == pid }
        let inFlight = own.filter { $0.start <= kill.t + tolerance && ($0.isOpen || $0.lost || $0.latestEnd >= kill.t - tolerance) }
        // The process: its identity from the runs or from process samples (Sidekiq identities are host:pid:nonce).
        let identityIndex = own.first { $0.identityIndex >= 0 }?.identityIndex
            ?? dataset.identities.firstIndex { Self.hostAndPid($0).map { $0 == (kill.host, kill.pid) } ?? false }.map(Int32.init)
        let points = identityIndex.map { index in dataset.processPoints.filter { $0.identityIndex == index && $0.t <= kill.t } } ?? []
        let runs = inFlight.map { run -> OOMKillFinding.RunInFlight in
            let atStart = points.last { $0.t <= run.start }?.rssMB ?? points.first { $0.t >= run.start }?.rssMB
            let atKill = points.last?.rssMB
            return .init(jobClass: dataset.classes[Int(run.classIndex)], start: run.start,
                         processRSSGrowthMB: atStart.flatMap { start in atKill.map { $0 - start } })
        }.sorted { ($0.start, $0.jobClass) < ($1.start, $1.jobClass) }

        // The restart: the first other Sidekiq pid on the host that shows after the kill.
        var restart: (pid: Int, at: Double)?
        for run in dataset.runs where run.hostIndex == host && run.pid >= 0 && run.pid != pid && run.start > kill.t {
            if restart.map({ run.start < $0.at }) ?? true { restart = (Int(run.pid), run.start) }
        }
        for point in dataset.processPoints where point.t > kill.t {
            guard let (pointHost, pointPid) = Self.hostAndPid(dataset.identities[Int(point.identityIndex)]),
                  pointHost == kill.host, pointPid != kill.pid else { continue }
            if restart.map({ point.t < $0.at }) ?? true { restart = (pointPid, point.t) }
        }
        let reboot = dataset.boots.first { $0.host == kill.host && $0.t > kill.t }?.t
        let process = identityIndex.map { dataset.identities[Int($0)] } ?? (own.isEmpty ? nil : "\(kill.host):\(kill.pid)")
        return OOMKillFinding(kill: kill, sidekiqProcess: process, runs: runs, restartPid: restart?.pid, restartAt: restart?.at,
                              rebootAt: reboot)
    }

    /// `host:pid:nonce` → (host, pid).
    static func hostAndPid(_ identity: String) -> (String, Int)? {
        let parts = identity.split(separator: ":")
        guard parts.count >= 3, let pid = Int(parts[parts.count - 2]) else { return nil }
        return (parts.dropLast(2).joined(separator: ":"), pid)
    }

    /// "the OOM killer killed Sidekiq pid 4242 (ruby) at 14:31:07 (RSS 1.6 GB, cgroup /…) while it ran X (started
    /// 14:29:50, its process RSS +900 MB during the run) and Y; Sidekiq restarted as pid 4301 33 s later".
    public static func sentence(_ finding: OOMKillFinding) -> String {
        let kill = finding.kill
        var text = "the OOM killer killed \(finding.sidekiqProcess == nil ? "" : "Sidekiq ")pid \(kill.pid) (\(kill.process))"
        if kill.host != "" { text += " on \(kill.host)" }
        text += " at \(ISOTimestamp.short(kill.t))"
        var facts: [String] = []
        if let rss = kill.rssKiB { facts.append("RSS \(NumberText.compact(Double(rss) / 1024)) MB") }
        if kill.isCgroupLimit {
            facts.append("its cgroup \(kill.oomCgroup ?? kill.cgroup ?? "?") hit its memory limit")
        } else if let cgroup = kill.cgroup {
            facts.append("cgroup \(cgroup); the host ran out of memory")
        }
        if !facts.isEmpty { text += " (" + facts.joined(separator: ", ") + ")" }
        if finding.runs.isEmpty {
            text += finding.sidekiqProcess == nil ? "; no Sidekiq process of that pid is in the store" : "; no run of it was in flight"
        } else {
            text += " while it ran " + finding.runs.map { run in
                var part = "\(run.jobClass) (started \(ISOTimestamp.short(run.start))"
                if let growth = run.processRSSGrowthMB {
                    part += ", its process RSS \(growth >= 0 ? "+" : "")\(NumberText.compact(growth)) MB during the run"
                }
                return part + ")"
            }.joined(separator: " and ")
        }
        if let pid = finding.restartPid, let at = finding.restartAt {
            text += "; Sidekiq restarted as pid \(pid) \(DurationExpression.humanize(at - kill.t)) later"
        }
        if let reboot = finding.rebootAt { text += "; the host rebooted at \(ISOTimestamp.short(reboot))" }
        return text
    }
}
