import Foundation

/// Per-class run durations as inline SVG: for the top classes by rank, p50, p95 and max as nested
/// horizontal bars on a log scale (durations span milliseconds to hours), each labelled with its numbers.
enum DurationChartSVG {
    static let maximumClasses = 15
    static let width = 1200.0
    static let labelWidth = 330.0
    static let valueWidth = 250.0
    static let rowHeight = 26.0
    /// Grid lines at durations people think in.
    static let ticks: [Double] = [0.001, 0.01, 0.1, 1, 10, 60, 600, 3600, 21600, 86400, 604_800]

    static func render(_ profiles: [ClassProfile], to out: inout String) {
        let shown = profiles.prefix(maximumClasses).filter { $0.max != nil }
        guard !shown.isEmpty else {
            out += "<p class=\"note\">No finished runs with a known duration in this window.</p>"
            return
        }
        let f = SVGNumber.format
        let smallest = shown.compactMap { $0.p50 }.filter { $0 > 0 }.min() ?? 0.01
        let largest = shown.compactMap { $0.max }.max() ?? 1
        // Log scale between round durations just outside the shortest p50 and the longest run.
        let low = ticks.last { $0 <= smallest } ?? ticks[0]
        let high = max(ticks.first { $0 >= largest } ?? largest, low * 10)
        let plotLeft = labelWidth, plotWidth = width - labelWidth - valueWidth
        func x(_ seconds: Double) -> Double {
            let clamped = min(max(seconds, low), high)
            return plotLeft + (log10(clamped) - log10(low)) / (log10(high) - log10(low)) * plotWidth
        }
        let top = 24.0
        let bottom = top + rowHeight * Double(shown.count)
        let height = bottom + 22
        out += "<svg class=\"chart durations\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-labelledby=\"durations-title\">"
        out += "<title id=\"durations-title\">Run durations of the top \(shown.count) classes: p50, p95 and max, log scale</title>"
        for tick in ticks where tick >= low && tick <= high {
            let dx = x(tick)
            out += "<line class=\"grid\" x1=\"\(f(dx))\" x2=\"\(f(dx))\" y1=\"\(f(top - 4))\" y2=\"\(f(bottom))\"/>"
            out += "<text class=\"tick\" x=\"\(f(dx))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(duration(tick))</text>"
        }
        legend(x: plotLeft, y: 6, to: &out)
        for (index, profile) in shown.enumerated() {
            let rowTop = top + Double(index) * rowHeight
            out += "<g class=\"dur\"><title>#\(profile.rank) "
            HTMLText.append(profile.jobClass, to: &out)
            out += ": \(profile.runs) runs, p50 \(seconds(profile.p50)), p95 \(seconds(profile.p95)), max \(seconds(profile.max))</title>"
            out += "<text class=\"row-label\" x=\"\(f(plotLeft - 8))\" y=\"\(f(rowTop + 17))\" text-anchor=\"end\">#\(profile.rank) "
            HTMLText.append(profile.jobClass, to: &out, limit: 44)
            out += "</text>"
            for (value, cssClass, inset) in [(profile.max, "dmax", 3.0), (profile.p95, "dp95", 6.0), (profile.p50, "dp50", 9.0)] {
                guard let value else { continue }
                let x1 = max(x(value), plotLeft + 1)
                out += "<rect class=\"\(cssClass)\" x=\"\(f(plotLeft))\" y=\"\(f(rowTop + inset))\" width=\"\(f(x1 - plotLeft))\""
                    + " height=\"\(f(rowHeight - 2 * inset))\"/>"
            }
            out += "<text class=\"value\" x=\"\(f(plotLeft + plotWidth + 8))\" y=\"\(f(rowTop + 17))\">p50 \(seconds(profile.p50)) · p95"
                + " \(seconds(profile.p95)) · max \(seconds(profile.max))</text></g>"
        }
        out += "</svg>"
    }

    private static func legend(x: Double, y: Double, to out: inout String) {
        let f = SVGNumber.format
        for (index, (cssClass, label)) in [("dp50", "p50"), ("dp95", "p95"), ("dmax", "max")].enumerated() {
            let x0 = x + Double(index) * 70
            out += "<rect class=\"\(cssClass)\" x=\"\(f(x0))\" y=\"\(f(y))\" width=\"14\" height=\"10\"/>"
            out += "<text class=\"tick\" x=\"\(f(x0 + 18))\" y=\"\(f(y + 9))\">\(label)</text>"
        }
    }

    static func seconds(_ value: Double?) -> String { value.map(duration) ?? "–" }

    /// `humanize` shows tenths of a second; fast jobs need milliseconds.
    static func duration(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded()))ms" : DurationExpression.humanize(seconds)
    }
}
