/// The report's main chart as inline SVG: host CPU (mean line over a max band), memory and load on one UTC
/// time axis, outage windows shaded through every panel, and beneath them a Gantt strip with the runs of
/// the top suspects, so a hog's runs line up under the peaks they cause. One pass over the model's
/// already downsampled series and bars.
enum TimelineChartSVG {
    static let width = 1200.0
    static let left = 64.0
    static let right = 16.0
    static let cpuHeight = 150.0
    static let memHeight = 100.0
    static let loadHeight = 70.0
    static let panelGap = 34.0
    static let rowHeight = 30.0
    static let barHeight = 14.0

    static func render(_ model: ReportModel, to out: inout String) {
        let analysis = model.analysis
        let axis = SVGTimeAxis(from: analysis.from, to: analysis.to, left: left, width: width - left - right)
        let cpuTop = 40.0
        let memTop = cpuTop + cpuHeight + panelGap
        let loadTop = memTop + memHeight + panelGap
        let ganttTop = loadTop + loadHeight + panelGap + 4
        let ganttBottom = ganttTop + rowHeight * Double(max(model.strips.count, 1))
        let height = ganttBottom + 30
        let f = SVGNumber.format
        out += "<svg class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-labelledby=\"timeline-title\">"
        out += "<title id=\"timeline-title\">Host CPU, memory and load with the runs of the top suspects,"
            + " \(ISOTimestamp.short(analysis.from)) to \(ISOTimestamp.short(analysis.to))</title>"

        // Grid and time labels first, so everything else draws over them.
        let ticks = axis.ticks()
        for tick in ticks {
            out += "<line class=\"grid\" x1=\"\(f(tick.x))\" x2=\"\(f(tick.x))\" y1=\"\(f(cpuTop))\" y2=\"\(f(ganttBottom))\"/>"
            out += "<text class=\"tick\" x=\"\(f(tick.x))\" y=\"\(f(ganttBottom + 16))\" text-anchor=\"middle\">\(tick.label)</text>"
        }
        out += "<text class=\"tick\" x=\"\(f(width - right))\" y=\"\(f(ganttBottom + 28))\" text-anchor=\"end\">UTC</text>"

        // Outage windows shaded through all panels, labelled at the top.
        for (index, window) in analysis.outageWindows.enumerated() {
            let x0 = axis.x(window.from), x1 = max(axis.x(window.to), x0 + 2)
            out += "<g class=\"outage\"><title>Outage window \(index + 1): \(ISOTimestamp.short(window.from)) →"
                + " \(ISOTimestamp.short(window.to)) (\(DurationExpression.humanize(window.duration)))"
            for signal in window.signals {
                out += "\n• "
                HTMLText.append(signal, to: &out, limit: 300)
            }
            out += "</title><rect x=\"\(f(x0))\" y=\"\(f(cpuTop - 14))\" width=\"\(f(x1 - x0))\""
                + " height=\"\(f(ganttBottom - cpuTop + 14))\"/>"
            out += "<text x=\"\(f(x0 + 3))\" y=\"\(f(cpuTop - 4))\">outage \(index + 1)</text></g>"
        }

        let points = model.host.points
        let gap = model.host.bucketWidth * 2.5

        // CPU: percent busy of the whole host, 0–100.
        panelFrame(title: "CPU busy % — line: mean, band: peak per \(DurationExpression.humanize(model.host.bucketWidth))",
                   top: cpuTop, height: cpuHeight, yTicks: [0, 50, 100], yMax: 100, unit: "%", to: &out)
        let cpuY = { (value: Double) in cpuTop + cpuHeight - min(max(value, 0), 100) / 100 * cpuHeight }
        band(points, gap: gap, axis: axis, low: { $0.cpuMeanPct }, high: { $0.cpuMaxPct }, y: cpuY, cssClass: "cpu-band", to: &out)
        line(points, gap: gap, axis: axis, value: { $0.cpuMeanPct }, y: cpuY, cssClass: "cpu", to: &out)

        // Memory: MiB used against the host's total when known, else percent used.
        let useMB = points.contains { $0.memUsedMB != nil }
        let memPeak = points.reduce(0.0) { max($0, (useMB ? $1.memUsedMB : $1.memUsedPct) ?? 0) }
        // Against the host's total once memory is half used (how close to running out); below that, scaled
        // to the data, so the rise a hog causes stays visible.
        let memMax: Double
        if useMB, let total = model.host.memTotalMB, memPeak >= total / 2 { memMax = max(total, memPeak) }
        else { memMax = niceCeiling(max(memPeak, 1) * 1.15) }
        let memUnit = useMB ? "MB" : "%"
        let memTitle = useMB ? "Memory used, MB (peak per bucket"
            + (model.host.memTotalMB.map { "; host total \(NumberText.compact($0)) MB)" } ?? ")")
            : "Memory used, % (peak per bucket)"
        panelFrame(title: memTitle, top: memTop, height: memHeight, yTicks: [0, memMax / 2, memMax], yMax: memMax, unit: memUnit, to: &out)
        let memY = { (value: Double) in memTop + memHeight - min(max(value, 0), memMax) / memMax * memHeight }
        let memValue: (ReportModel.HostPoint) -> Double? = useMB ? { $0.memUsedMB } : { $0.memUsedPct }
        band(points, gap: gap, axis: axis, low: { memValue($0) == nil ? nil : 0 }, high: memValue, y: memY, cssClass: "mem-area", to: &out)
        line(points, gap: gap, axis: axis, value: memValue, y: memY, cssClass: "mem", to: &out)

        // Load: 1-minute load average against the number of CPUs.
        let loadPeak = points.reduce(0.0) { max($0, $1.load1 ?? 0) }
        let loadMax = niceCeiling(max(loadPeak, Double(model.host.cpuCount ?? 1)) * 1.05)
        panelFrame(title: "Load (1 min)" + (model.host.cpuCount.map { "; dashed: \($0) CPUs" } ?? ""),
                   top: loadTop, height: loadHeight, yTicks: [0, loadMax / 2, loadMax], yMax: loadMax, unit: "", to: &out)
        let loadY = { (value: Double) in loadTop + loadHeight - min(max(value, 0), loadMax) / loadMax * loadHeight }
        if let cpus = model.host.cpuCount {
            out += "<line class=\"cores\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(loadY(Double(cpus))))\""
                + " y2=\"\(f(loadY(Double(cpus))))\"/>"
        }
        line(points, gap: gap, axis: axis, value: { $0.load1 }, y: loadY, cssClass: "load", to: &out)
        if points.isEmpty {
            out += "<text class=\"note\" x=\"\(f(left + 8))\" y=\"\(f(cpuTop + 24))\">No host samples in this window.</text>"
        }

        // The Gantt strip: one row per top suspect, a bar per run (or runs merged at chart resolution).
        out += "<text class=\"panel-title\" x=\"\(f(left))\" y=\"\(f(ganttTop - 10))\">Runs of the top suspects — darker: more at"
            + " once</text>"
        legend(x: width - right - 250, y: ganttTop - 20, to: &out)
        if model.strips.isEmpty {
            out += "<text class=\"note\" x=\"\(f(left + 8))\" y=\"\(f(ganttTop + 18))\">No job runs in this window.</text>"
        }
        for (index, strip) in model.strips.enumerated() {
            let rowTop = ganttTop + Double(index) * rowHeight
            if index % 2 == 0 {
                out += "<rect class=\"row\" x=\"\(f(left))\" y=\"\(f(rowTop))\" width=\"\(f(width - left - right))\""
                    + " height=\"\(f(rowHeight))\"/>"
            }
            out += "<text class=\"row-label\" x=\"\(f(left + 4))\" y=\"\(f(rowTop + 11))\"><title>"
            HTMLText.append(strip.jobClass, to: &out)
            out += "</title>#\(strip.rank) "
            HTMLText.append(strip.jobClass, to: &out, limit: 90)
            out += "</text>"
            let barY = f(rowTop + rowHeight - barHeight - 2), barH = f(barHeight)
            for bar in strip.bars {
                let x0 = axis.x(bar.from), x1 = max(axis.x(bar.to), x0 + 0.6)
                let level = min(bar.peakConcurrency, 3)
                out += "<rect class=\"r\(level)\" x=\"\(f(x0))\" y=\"\(barY)\" width=\"\(f(x1 - x0))\" height=\"\(barH)\"><title>"
                out += clock(bar.from) + "–" + clock(bar.to) + "Z, " + (bar.runs == 1 ? "1 run" : "\(bar.runs) runs")
                if bar.peakConcurrency > 1 { out += ", up to \(bar.peakConcurrency) at once" }
                out += "</title></rect>"
            }
        }
        out += "</svg>"
    }

    /// Panel title, y labels and a baseline.
    private static func panelFrame(title: String, top: Double, height: Double, yTicks: [Double], yMax: Double, unit: String,
                                   to out: inout String) {
        let f = SVGNumber.format
        out += "<text class=\"panel-title\" x=\"\(f(left))\" y=\"\(f(top - 8))\">"
        HTMLText.append(title, to: &out)
        out += "</text>"
        out += "<rect class=\"panel\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" height=\"\(f(height))\"/>"
        for value in yTicks {
            let y = top + height - value / max(yMax, 1e-9) * height
            if value > 0 { out += "<line class=\"hgrid\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>" }
            out += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(y + 4))\""
                + " text-anchor=\"end\">\(NumberText.compact(value))\(unit.isEmpty ? "" : " " + unit)</text>"
        }
    }

    /// A polyline per run of consecutive points; a missing value or a sampling gap breaks it, because a
    /// starved host that stopped sampling is part of the story.
    private static func line(_ points: [ReportModel.HostPoint], gap: Double, axis: SVGTimeAxis, value: (ReportModel.HostPoint) -> Double?,
                             y: (Double) -> Double, cssClass: String, to out: inout String) {
        var path = ""
        var previousT = -Double.infinity
        for point in points {
            guard let v = value(point) else { previousT = -.infinity; continue }
            let command = point.t - previousT > gap ? "M" : "L"
            path += command + SVGNumber.format(axis.x(point.t)) + " " + SVGNumber.format(y(v))
            previousT = point.t
        }
        guard !path.isEmpty else { return }
        out += "<path class=\"\(cssClass)\" d=\"\(path)\"/>"
    }

    /// The area between `low` and `high`, one closed shape per unbroken run of points.
    private static func band(_ points: [ReportModel.HostPoint], gap: Double, axis: SVGTimeAxis, low: (ReportModel.HostPoint) -> Double?,
                             high: (ReportModel.HostPoint) -> Double?, y: (Double) -> Double, cssClass: String, to out: inout String) {
        var path = ""
        var lower: [(Double, Double)] = []
        var previousT = -Double.infinity
        func close() {
            guard !lower.isEmpty else { return }
            for (x, yLow) in lower.reversed() { path += "L" + SVGNumber.format(x) + " " + SVGNumber.format(yLow) }
            path += "Z"
            lower.removeAll(keepingCapacity: true)
        }
        for point in points {
            guard let lo = low(point), let hi = high(point) else { close(); previousT = -.infinity; continue }
            if point.t - previousT > gap { close() }
            let x = axis.x(point.t)
            path += (lower.isEmpty ? "M" : "L") + SVGNumber.format(x) + " " + SVGNumber.format(y(hi))
            lower.append((x, y(lo)))
            previousT = point.t
        }
        close()
        guard !path.isEmpty else { return }
        out += "<path class=\"\(cssClass)\" d=\"\(path)\"/>"
    }

    private static func legend(x: Double, y: Double, to out: inout String) {
        let f = SVGNumber.format
        for (index, label) in ["1 at once", "2", "3 or more"].enumerated() {
            let x0 = x + Double(index) * 80
            out += "<rect class=\"r\(index + 1)\" x=\"\(f(x0))\" y=\"\(f(y))\" width=\"14\" height=\"10\"/>"
            out += "<text class=\"tick\" x=\"\(f(x0 + 18))\" y=\"\(f(y + 9))\">\(label)</text>"
        }
    }

    static func clock(_ t: Double) -> String { String(ISOTimestamp.format(t).dropFirst(11).prefix(8)) }

    /// 1, 2 or 5 times a power of ten, at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        var power = 1.0
        while power * 10 <= value { power *= 10 }
        while power > value { power /= 10 }
        for factor in [1.0, 2, 4, 5, 10] where factor * power >= value { return factor * power }
        return 10 * power
    }
}
