/// The suspect score, documented in the README ("How suspects are ranked"):
///
///     R = cpu_attrib_pp / 100 + mem_attrib_mb / host_memory_mb     (each ≥ 0; the plain lift where no
///                                                                  attribution; busy share where neither;
///                                                                  see `memory` for classes in flight at
///                                                                  an OOM kill; the measured CPU in place
///                                                                  of cpu_attrib_pp where it covers the
///                                                                  class, see `cpu`)
///     P = 0.5 · periodic + 0.5 · min(1, max(p95 / period, overlaps / runs))
///     O = outage windows it ran in / outage windows
///     score = 100 · R · (1 + P) · (1 + O)
///
/// R is the share of the host one running instance takes once every class running beside it is
/// accounted for, so a class that adds nothing scores near zero however long it runs. P and O can at
/// most double it each: recurring and piling up, and being there when things broke, make a hog more
/// suspect but never make a harmless job one. Names never score.
public enum SuspectScore {
    public struct Parts: Sendable, Equatable {
        public var resource: Double
        public var resourceBasis: Basis
        public var recurrence: Double
        public var outagePresence: Double
        public var score: Double
    }

    public enum Basis: String, Sendable {
        case measured, attribution, lift, busyShare = "busy_share"
    }

    /// What the data demonstrate: the low end of the attribution's 95 % interval when there is one, so an
    /// effect the data barely support (a job that fires with the hog, a one-off inside a pile-up) ranks by
    /// what is certain, not by its point estimate.
    static func demonstrated(_ value: Double?, low: Double?) -> Double? {
        guard let value else { return nil }
        return low.map { min($0, value) } ?? value
    }

    /// What one run costs in memory, and the memory it is measured against. Where the OOM killer took down a
    /// process running the class, memory did run out: the run's own growth of its process's RSS counts too,
    /// against the memory that ran out (the cgroup's limit, read off the kill, when that was the constraint).
    static func memory(_ profile: ClassProfile, hostMemoryMB: Double?) -> (cost: Double, total: Double)? {
        var cost = Self.demonstrated(profile.memAttribMB, low: profile.memAttribLowMB) ?? profile.memLiftMB
        var total = hostMemoryMB
        if !profile.inFlightAtOOMKills.isEmpty {
            if let growth = profile.rssGrowthMB, profile.rssGrowthRuns >= 2 { cost = max(cost ?? 0, growth) }
            if let limit = profile.inFlightAtOOMKills.filter(\.isCgroupLimit).compactMap(\.rssKiB).max() {
                total = Double(limit) / 1024
            }
        }
        guard let cost, let total, total > 0 else { return nil }
        return (cost, total)
    }

    /// What one running instance takes of the host's CPU, in percentage points, and from what: the CPU `record`
    /// measured for its runs where they cover at least `MeasuredCPU.scoringCoverage` of its run time (capped at
    /// the whole host), else the attribution (the low end of its interval), else the plain lift.
    static func cpu(_ profile: ClassProfile) -> (pp: Double, basis: Basis)? {
        if let measured = profile.measuredCPU, measured.drivesScore, let pp = measured.cpuPP { return (min(100, pp), .measured) }
        if let cpu = Self.demonstrated(profile.cpuAttribPP, low: profile.cpuAttribLowPP) {
            return (cpu, .attribution)
        }
        return profile.cpuLiftPP.map { ($0, .lift) }
    }

    public static func parts(_ profile: ClassProfile, hostMemoryMB: Double?, outageWindowCount: Int) -> Parts {
        var basis = Basis.busyShare
        var resource = 0.0
        var measured = false
        if let (cpu, cpuBasis) = Self.cpu(profile) {
            resource += max(0, cpu) / 100
            measured = true
            basis = cpuBasis
        }
        if let (memory, total) = Self.memory(profile, hostMemoryMB: hostMemoryMB) {
            resource += max(0, memory) / total
            if !measured { basis = profile.memAttribMB != nil ? .attribution : .lift }
            measured = true
        }
        if !measured { resource = profile.busyShare }
        var recurrence = 0.0
        if let periodicity = profile.periodicity {
            recurrence = 0.5
            let pileUp = max((profile.p95 ?? 0) / periodicity.period,
                profile.runs > 0 ? Double(profile.overlaps) / Double(profile.runs) : 0)
            recurrence += 0.5 * min(1, pileUp)
        }
        let presence = outageWindowCount > 0 ? Double(profile.inOutageWindows) / Double(outageWindowCount) : 0
        let score = 100 * resource * (1 + recurrence) * (1 + presence)
        return Parts(resource: resource, resourceBasis: basis, recurrence: recurrence, outagePresence: presence,
                     score: (score * 100).rounded() / 100)
    }
}
