/// Turns a class's measurements into plain sentences with numbers, the way a post-mortem argues it.
public enum EvidenceWriter {
    /// - Parameter hostSampled: whether the window has host samples at all (else a class's resource use is
    ///   unknown for want of samples, not for want of run time).
    public static func sentences(for profile: ClassProfile, outageWindowCount: Int, hostMemoryMB: Double?, cpuCount: Int?,
                                 hostSampled: Bool = false) -> [String] {
        var sentences: [String] = []
        let d = DurationExpression.humanize
        var runs = "\(profile.runs) run\(profile.runs == 1 ? "" : "s")"
        if let periodicity = profile.periodicity {
            let source = periodicity.source == .observed ? "observed from start times" : periodicity.source.rawValue
            runs += ", every \(d(periodicity.period)) (\(source)"
            if let name = periodicity.scheduleName { runs += " schedule \(name)" }
            if periodicity.enabled == false { runs += ", now disabled" }
            runs += ")"
            if let jitter = periodicity.jitter, jitter >= 1 { runs += ", starts spread over \(d(jitter)) of their slot" }
        } else if let rate = profile.streamRate {
            runs += ", a stream of \(NumberText.compact(rate)) runs/s, not periodic"
        }
        if let p95 = profile.p95, let p50 = profile.p50, let max = profile.max {
            runs += "; p50 \(d(p50)), p95 \(d(p95)), max \(d(max))"
        }
        if profile.failed > 0 { runs += "; \(profile.failed) failed" }
        if profile.open > 0 { runs += "; \(profile.open) with no end" }
        sentences.append(runs)

        if let periodicity = profile.periodicity, let ratio = profile.durationToPeriod {
            var pile = "p95 duration is \(NumberText.percent(ratio)) % of the \(d(periodicity.period)) period"
            if profile.overlaps > 0 {
                pile += "; \(profile.overlaps) run\(profile.overlaps == 1 ? "" : "s") started while the previous was still running"
                    + " (pile-up, up to \(profile.maxConcurrency) at once)"
            }
            sentences.append(pile)
        } else if profile.overlaps > 0 {
            sentences.append("up to \(profile.maxConcurrency) runs at once")
        }

        if let measured = profile.measuredCPU { sentences.append(measuredCPU(measured)) }

        if profile.cpuLiftPP != nil || profile.memLiftMB != nil {
            var parts: [String] = []
            if let cpu = profile.cpuLiftPP { parts.append("CPU \(NumberText.signed(cpu)) pp") }
            if let mem = profile.memLiftMB { parts.append("memory \(NumberText.signed(mem)) MB") }
            var resources = "host \(parts.joined(separator: " and ")) while running"
            var attribution: [String] = []
            if let cpu = profile.cpuAttribPP {
                var notes: [String] = []
                if let cpuCount, cpuCount > 0, cpu > 0 { notes.append("\(NumberText.compact(cpu * Double(cpuCount) / 100)) of"
                    + " \(cpuCount) cores") }
                if let low = profile.cpuAttribLowPP, let high = profile.cpuAttribHighPP { notes.append(Self.interval(low, high)) }
                if profile.cpuAttribFromProcess { notes.append("from its process's own CPU") }
                attribution.append("CPU \(NumberText.signed(cpu)) pp" + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"))
            }
            if let mem = profile.memAttribMB {
                var notes: [String] = []
                if let hostMemoryMB, hostMemoryMB > 0, mem > 0 {
                    notes.append("\(NumberText.percent(mem / hostMemoryMB)) % of \(NumberText.compact(hostMemoryMB)) MB")
                }
                if let low = profile.memAttribLowMB, let high = profile.memAttribHighMB { notes.append(Self.interval(low, high)) }
                attribution.append("memory \(NumberText.signed(mem)) MB" + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"))
            }
            if !attribution.isEmpty && !profile.attribJointWith.isEmpty {
                resources += "; its runs move with \(profile.attribJointWith.joined(separator: ", ")) so closely that the data cannot"
                    + " split "
                    + "their effect: together one run of each adds \(attribution.joined(separator: " and "))"
            } else if !attribution.isEmpty {
                resources += "; with the classes running beside it accounted for, one run adds \(attribution.joined(separator: " and "))"
            }
            sentences.append(resources)
        } else if hostSampled {
            sentences.append("too little run time inside host sample intervals (\(d(profile.busySeconds)) in all) to measure its resource"
                + " use")
        } else {
            sentences.append("no host samples while it ran: resource use unknown")
        }

        if let measured = profile.measuredCPU, measured.attributionDisagrees == true, let line = disagreement(measured, profile: profile,
                                                                                                      cpuCount: cpuCount) {
            sentences.append(line)
        }

        if let cpu = profile.processCPUPct {
            var process = "its Sidekiq process used \(NumberText.compact(cpu)) % of a core while running it"
            if let lift = profile.processCPULiftPP { process += " (\(NumberText.signed(lift)) pp against the rest of the time)" }
            sentences.append(process)
        }
        if let growth = profile.rssGrowthMB, let max = profile.rssGrowthMaxMB {
            sentences.append("process RSS grew \(NumberText.signed(growth)) MB across a run (median of \(profile.rssGrowthRuns)), up to"
                + " \(NumberText.signed(max)) MB")
        }

        if outageWindowCount > 0 {
            if profile.inOutageWindows > 0 {
                var presence = "running in \(profile.inOutageWindows) of \(outageWindowCount) outage"
                    + " window\(outageWindowCount == 1 ? "" : "s")"
                var details: [String] = []
                if profile.runningAtOnset > 0 { details.append("at the onset of \(profile.runningAtOnset)") }
                if profile.startedBeforeOnset > 0 { details.append("started within 2 min before \(profile.startedBeforeOnset)") }
                if !details.isEmpty { presence += " (\(details.joined(separator: ", ")))" }
                sentences.append(presence)
            } else {
                sentences.append(outageWindowCount == 1 ? "not running in the outage window" : "not running in any of the"
                    + " \(outageWindowCount) outage windows")
            }
        }
        if !profile.inFlightAtOOMKills.isEmpty {
            let kills = profile.inFlightAtOOMKills.map { "pid \($0.pid) at \(ISOTimestamp.short($0.t))" }.joined(separator: ", ")
            let count = profile.inFlightAtOOMKills.count
            var sentence = "in flight when the OOM killer killed its process \(count == 1 ? "" : "\(count) times ")(\(kills))"
            if let growth = profile.rssGrowthMB, profile.rssGrowthRuns >= 2,
               let limit = profile.inFlightAtOOMKills.filter(\.isCgroupLimit).compactMap(\.rssKiB).max() {
                let limitMB = Double(limit) / 1024
                sentence += "; a run grows its process by \(NumberText.signed(growth)) MB, \(NumberText.percent(growth / limitMB)) %"
                    + " of the \(NumberText.compact(limitMB)) MB its cgroup allowed"
            }
            sentences.append(sentence)
        }
        sentences.append("\(NumberText.percent(profile.busyShare)) % of all job run time (\(d(profile.busySeconds)))")
        if let context = profile.context { sentences.append(context) }
        return sentences
    }

    /// The measured CPU of a class's runs, over the outage windows when it ran in them, else over the window:
    /// "used 112 CPU-seconds of the 190 the host spent in the outage window (59 %); 0.74 CPU per run-second,
    /// 9.3 CPU-seconds per run; 12 of 14 runs measured (not measured: 2 started before the recorder's per-thread history)".
    public static func measuredCPU(_ measured: MeasuredCPU.ClassCPU) -> String {
        let tally = measured.headline
        let scope = scopeName(tally.outageWindows)
        let runs = "\(tally.runs) run\(tally.runs == 1 ? "" : "s")"
        guard tally.measuredRuns > 0 else {
            return "no run measured for CPU in \(scope) (\(runs): \(reasons(tally.unmeasured)))"
        }
        var sentence = "used \(cpuSecondsText(tally.cpuSeconds))"
        let low = cpuSeconds(tally.cpuSecondsMin), high = cpuSeconds(tally.cpuSecondsMax)
        if low != high { sentence += " (\(low)–\(high))" }
        if let host = tally.hostCPUSeconds, let share = tally.hostShare {
            let spender = tally.hosts > 1 ? "the \(tally.hosts) hosts" : "the host"
            sentence += " of the \(cpuSeconds(host)) \(spender) spent in \(scope) (\(NumberText.percent(share)) %)"
        } else {
            sentence += " in \(scope) (the host's CPU there is unknown)"
        }
        var perRun: [String] = []
        if let rate = tally.cpuPerRunSecond { perRun.append("\(NumberText.fixed(rate, places: 2)) CPU per run-second") }
        if let each = tally.cpuSecondsPerRun { perRun.append("\(cpuSecondsText(each)) per run") }
        if !perRun.isEmpty { sentence += "; " + perRun.joined(separator: ", ") }
        sentence += "; \(tally.measuredRuns) of \(runs) measured"
        if tally.unmeasuredRuns > 0 { sentence += " (not measured: \(reasons(tally.unmeasured)))" }
        if measured.offThreadBusy, let off = measured.window.wholeOffThreadCPUSeconds, let rate = measured.window.offThreadPerRunSecond {
            sentence += "; while it ran, its process spent \(cpuSecondsText(off)) (\(NumberText.fixed(rate, places: 2)) CPU per"
                + " run-second) outside its job threads, on threads a job starts or a C library's, whose CPU no thread measure"
                + " can assign: it is ranked by the joint attribution"
        } else if !measured.drivesScore, measured.cpuPP != nil, let coverage = measured.window.coverage {
            sentence += "; only \(NumberText.percent(coverage)) % of its run time in the window measured, too little to rank it by"
        }
        return sentence
    }

    /// One line when the measurement and the joint attribution disagree, with both numbers.
    static func disagreement(_ measured: MeasuredCPU.ClassCPU, profile: ClassProfile, cpuCount: Int?) -> String? {
        guard let pp = measured.cpuPP, let attribution = profile.cpuAttribPP, let rate = measured.window.cpuPerRunSecond else { return nil }
        var line = "measured and attributed CPU disagree: measured, one run takes \(NumberText.compact(pp)) pp of the host"
        if let cpuCount { line += " (\(NumberText.fixed(rate, places: 2)) CPU of \(cpuCount) core\(cpuCount == 1 ? "" : "s"))" }
        line += " over the window; the joint attribution says CPU \(NumberText.signed(attribution)) pp"
        if let low = profile.cpuAttribLowPP, let high = profile.cpuAttribHighPP { line += " (\(interval(low, high)))" }
        line += measured.drivesScore ? "; the score uses the measurement" : "; the score uses the attribution"
        return line
    }

    /// "the window", "the outage window", "the 3 outage windows".
    static func scopeName(_ outageWindows: Int) -> String {
        switch outageWindows {
        case 0: return "the window"
        case 1: return "the outage window"
        default: return "the \(outageWindows) outage windows"
        }
    }

    /// CPU-seconds as a number: whole from 10 up, one decimal below.
    static func cpuSeconds(_ value: Double) -> String { NumberText.compact(value) }

    /// "1 CPU-second", "9.3 CPU-seconds".
    static func cpuSecondsText(_ value: Double) -> String {
        let number = cpuSeconds(value)
        return "\(number) CPU-second\(number == "1" ? "" : "s")"
    }

    /// "1 from a log, 2 started before the recorder's per-thread history", most frequent first.
    static func reasons(_ counts: [String: Int]) -> String {
        counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \(reason($0.key))" }.joined(separator: ", ")
    }

    /// A short phrase for a reason a run was not measured.
    public static func reason(_ key: String) -> String {
        switch RunCPUNote(rawValue: key) {
        case .remote: return "ran on another host"
        case .unreadable: return "whose threads could not be read"
        case .unmapped: return "whose thread was never matched"
        case .unsure: return "whose thread was ambiguous"
        case .startUnseen: return "started before the recorder's per-thread history"
        case .log: return "from a log"
        case nil: return "with no measurement stored"
        }
    }

    static func interval(_ low: Double, _ high: Double) -> String {
        "95 % interval \(NumberText.compact(low))–\(NumberText.compact(high))"
    }
}
