/// Maps epoch seconds onto the x axis of a chart and picks UTC tick marks at round steps.
struct SVGTimeAxis {
    var from: Double
    var to: Double
    var left: Double
    var width: Double

    struct Tick {
        var t: Double
        var x: Double
        var label: String
    }

    static let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
                                  172_800, 604_800, 2_592_000]

    init(from: Double, to: Double, left: Double, width: Double) {
        self.from = from
        self.to = to > from ? to : from + 1
        self.left = left
        self.width = width
    }

    func x(_ t: Double) -> Double {
        left + (min(max(t, from), to) - from) / (to - from) * width
    }

    /// About `target` ticks at a round UTC step; the first tick and each new day carry the date.
    func ticks(target: Int = 10) -> [Tick] {
        let span = to - from
        let step = Self.steps.first { span / $0 <= Double(target) } ?? (span / Double(target)).rounded(.up)
        var t = (from / step).rounded(.up) * step
        var ticks: [Tick] = []
        var previousDay = ""
        while t <= to {
            let iso = ISOTimestamp.format(t)
            let day = String(iso.prefix(10))
            let clock = String(iso.dropFirst(11).prefix(step < 60 ? 8 : 5))
            let label = step >= 86400 ? String(day.dropFirst(5)) : (day != previousDay ? String(day.dropFirst(5)) + " " + clock : clock)
            previousDay = day
            ticks.append(Tick(t: t, x: x(t), label: label))
            t += step
        }
        return ticks
    }
}
