/// Sentences about data the analysis lacked, so a reader knows how far to trust it.
enum MissingData {
    static func sentences(dataset: IncidentDataset, hostPoints: [IncidentDataset.HostPoint], from: Double, to: Double,
        runCount: Int) -> [String] {
        var missing: [String] = []
        if runCount == 0 {
            missing.append("no job runs in the window: record with `kiqprof record` or import a Sidekiq log")
        }
        if hostPoints.isEmpty {
            missing.append("no host samples in the window: resource evidence is missing, so suspects are ranked by run time and"
                + " periodicity only (record with `kiqprof record`, or import sar, CloudWatch, Prometheus or CSV)")
        } else {
            let first = hostPoints.first!.t, last = hostPoints.last!.t
            let typical = ConcurrencySweep.typicalInterval(hostPoints.map(\.t))
            if first - from > 3 * typical { missing.append("no host samples before \(ISOTimestamp.format(first))") }
            if to - last > 3 * typical { missing.append("no host samples after \(ISOTimestamp.format(last))") }
            if !hostPoints.contains(where: { $0.memUsedMB != nil }) {
                missing.append("host samples carry no memory in MB (only a percentage, or none): memory lift and attribution are unknown")
            }
            if !hostPoints.contains(where: { $0.cpuBusyPct != nil }) {
                missing.append("host samples carry no CPU use: CPU lift and attribution are unknown")
            }
        }
        if dataset.processPoints.isEmpty {
            missing.append("no per-process CPU or RSS samples (only `kiqprof record` takes them): process CPU and RSS growth are unknown")
        }
        if !dataset.hasClassMetrics {
            missing.append("no per-class execution metrics (Sidekiq 6 has none; on 7 and 8 run `kiqprof import metrics`)")
        }
        let polled = dataset.runSources[.poll] ?? 0
        if polled > 0 && (dataset.runSources[.log] ?? 0) == 0 {
            missing.append("runs come from polling only: jobs shorter than a heartbeat (5 to 10 s) are not seen; import the Sidekiq log"
                + " for exact runs")
        }
        if dataset.schedules.isEmpty && !dataset.schedulesFromRedis {
            missing.append("no schedule definitions in the store (they are read by `kiqprof record`, or from Redis with --redis or "
                           + "--env-file): periodicity was inferred from start times")
        }
        return missing
    }
}
