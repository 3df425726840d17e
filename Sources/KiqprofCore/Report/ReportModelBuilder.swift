/// Builds a `ReportModel` from the analysed window: downsampled host series, the top suspects' runs as
/// bars, queue latency peaks and retry/dead growth. Pure and linear in the data.
public enum ReportModelBuilder {
    public static func build(dataset: IncidentDataset, analysis: IncidentAnalysis, recommendations: [Recommendation],
                             generatedAt: Double, appVersion: String?) -> ReportModel {
        let from = analysis.from, to = analysis.to
        return ReportModel(
            generatedAt: generatedAt, analysis: analysis, recommendations: recommendations,
            host: hostSeries(dataset.hostPoints, from: from, to: to, memTotalMB: analysis.hostMemoryTotalMB, cpuCount: analysis.cpuCount),
            strips: strips(dataset: dataset, analysis: analysis),
            queuePeaks: queuePeaks(dataset.queuePoints),
            setGrowth: setGrowth(dataset.setPoints),
            schedules: dataset.schedules, appVersion: appVersion)
    }

    static func bucketWidth(from: Double, to: Double, maximum: Int) -> Double {
        max((to - from) / Double(maximum), 1e-3)
    }

    static func hostSeries(_ points: [IncidentDataset.HostPoint], from: Double, to: Double, memTotalMB: Double?,
        cpuCount: Int?) -> ReportModel.HostSeries {
        let width = bucketWidth(from: from, to: to, maximum: ReportModel.HostSeries.maximumPoints)
        var result: [ReportModel.HostPoint] = []
        var index = -1
        var cpu = (sum: 0.0, count: 0.0), load = (sum: 0.0, count: 0.0)
        func close() {
            guard !result.isEmpty else { return }
            if cpu.count > 0 { result[result.count - 1].cpuMeanPct = cpu.sum / cpu.count }
            if load.count > 0 { result[result.count - 1].load1 = load.sum / load.count }
            cpu = (0, 0)
            load = (0, 0)
        }
        for point in points where point.t >= from && point.t <= to {
            let bucket = min(ReportModel.HostSeries.maximumPoints - 1, Int((point.t - from) / width))
            if bucket != index {
                close()
                index = bucket
                result.append(ReportModel.HostPoint(t: from + Double(bucket) * width))
            }
            var last = result[result.count - 1]
            if let value = point.cpuBusyPct { cpu.sum += value; cpu.count += 1; last.cpuMaxPct = max(last.cpuMaxPct ?? 0, value) }
            if let value = point.memUsedMB { last.memUsedMB = max(last.memUsedMB ?? 0, value) }
            if let value = point.memUsedPct { last.memUsedPct = max(last.memUsedPct ?? 0, value) }
            if let value = point.load1 { load.sum += value; load.count += 1 }
            result[result.count - 1] = last
        }
        close()
        return ReportModel.HostSeries(bucketWidth: width, points: result, memTotalMB: memTotalMB, cpuCount: cpuCount)
    }

    static func strips(dataset: IncidentDataset, analysis: IncidentAnalysis) -> [ReportModel.ClassStrip] {
        let top = analysis.profiles.prefix(ReportModel.maximumStrips)
        guard !top.isEmpty else { return [] }
        let width = bucketWidth(from: analysis.from, to: analysis.to, maximum: ReportModel.ClassStrip.maximumBars)
        var indexOf: [String: Int] = [:]
        for (position, profile) in top.enumerated() { indexOf[profile.jobClass] = position }
        var classPosition = [Int](repeating: -1, count: dataset.classes.count)
        for (index, name) in dataset.classes.enumerated() { classPosition[index] = indexOf[name] ?? -1 }
        var bars = [[ReportModel.ClassStrip.Bar]](repeating: [], count: top.count)
        var ends = [MinimumHeap](repeating: MinimumHeap(), count: top.count)
        for run in dataset.runs where run.end >= analysis.from && run.start <= analysis.to {
            let position = classPosition[Int(run.classIndex)]
            guard position >= 0 else { continue }
            while let earliest = ends[position].first, earliest <= run.start { ends[position].popMinimum() }
            ends[position].insert(run.end)
            let start = max(run.start, analysis.from), end = min(run.end, analysis.to)
            // Runs closer than one chart bucket share a bar: the chart cannot show the gap anyway.
            if var last = bars[position].last, start <= last.to + width {
                last.to = max(last.to, end)
                last.runs += 1
                last.peakConcurrency = max(last.peakConcurrency, ends[position].count)
                bars[position][bars[position].count - 1] = last
            } else {
                bars[position].append(.init(from: start, to: end, runs: 1, peakConcurrency: ends[position].count))
            }
        }
        return top.enumerated().map { position, profile in
            ReportModel.ClassStrip(jobClass: profile.jobClass, rank: profile.rank, bars: bars[position])
        }
    }

    static func queuePeaks(_ points: [IncidentDataset.QueuePoint]) -> [ReportModel.QueuePeak] {
        var peaks: [String: ReportModel.QueuePeak] = [:]
        for point in points where point.latency > (peaks[point.queue]?.peakLatency ?? -1) {
            peaks[point.queue] = ReportModel.QueuePeak(queue: point.queue, peakLatency: point.latency, at: point.t, sizeAtPeak: point.size)
        }
        return peaks.values.sorted { ($0.peakLatency, $1.queue) > ($1.peakLatency, $0.queue) }
    }

    static func setGrowth(_ points: [IncidentDataset.SetPoint]) -> ReportModel.SetGrowth? {
        guard let first = points.first, let last = points.last else { return nil }
        let processed = first.processed.flatMap { a in last.processed.map { $0 - a } }
        let failed = first.failed.flatMap { a in last.failed.map { $0 - a } }
        return ReportModel.SetGrowth(
            from: first.t, to: last.t,
            retry: (first.retry, last.retry, points.map(\.retry).max() ?? 0),
            dead: (first.dead, last.dead, points.map(\.dead).max() ?? 0),
            processed: processed, failed: failed)
    }
}
