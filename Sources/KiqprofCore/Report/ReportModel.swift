/// Everything a report shows, computed once and rendered as text, Markdown, HTML or JSON. Chart data is
/// already downsampled here (at most `HostSeries.maximumPoints` points, `ClassStrip.maximumBars` bars per
/// class), so a report over millions of runs stays small without dropping facts: the tables carry the
/// exact numbers.
public struct ReportModel: Sendable {
    /// Host resources per chart bucket: mean and max CPU, memory, load.
    public struct HostPoint: Sendable, Equatable {
        public var t: Double
        public var cpuMeanPct: Double?
        public var cpuMaxPct: Double?
        public var memUsedMB: Double?
        public var memUsedPct: Double?
        public var load1: Double?
    }

    public struct HostSeries: Sendable, Equatable {
        public static let maximumPoints = 720
        public var bucketWidth: Double
        public var points: [HostPoint]
        public var memTotalMB: Double?
        public var cpuCount: Int?
    }

    /// The runs of one class as bars at chart resolution: overlapping or touching runs merge into one bar
    /// that keeps the peak concurrency and the number of runs in it.
    public struct ClassStrip: Sendable, Equatable {
        public static let maximumBars = 1440
        public struct Bar: Sendable, Equatable {
            public var from: Double
            public var to: Double
            public var runs: Int
            public var peakConcurrency: Int
        }
        public var jobClass: String
        public var rank: Int
        public var bars: [Bar]
    }

    public struct QueuePeak: Sendable, Equatable {
        public var queue: String
        public var peakLatency: Double
        public var at: Double
        public var sizeAtPeak: Int?
    }

    /// Retry and dead set sizes and the processed/failed counters, first and last sample of the window.
    public struct SetGrowth: Sendable, Equatable {
        public var from: Double
        public var to: Double
        public var retry: (first: Int, last: Int, peak: Int)
        public var dead: (first: Int, last: Int, peak: Int)
        public var processed: Int64?
        public var failed: Int64?

        public static func == (lhs: SetGrowth, rhs: SetGrowth) -> Bool {
            lhs.from == rhs.from && lhs.to == rhs.to && lhs.retry == rhs.retry && lhs.dead == rhs.dead
                && lhs.processed == rhs.processed && lhs.failed == rhs.failed
        }
    }

    public var generatedAt: Double
    public var analysis: IncidentAnalysis
    public var recommendations: [Recommendation]
    public var host: HostSeries
    /// The top suspects' runs (rank order, at most `maximumStrips`).
    public var strips: [ClassStrip]
    public static let maximumStrips = 6
    public var queuePeaks: [QueuePeak]
    public var setGrowth: SetGrowth?
    public var schedules: [PeriodicSchedule]
    /// The app version given with `--app-version`, if any.
    public var appVersion: String?

    public init(generatedAt: Double, analysis: IncidentAnalysis, recommendations: [Recommendation], host: HostSeries,
                strips: [ClassStrip], queuePeaks: [QueuePeak], setGrowth: SetGrowth?, schedules: [PeriodicSchedule],
                appVersion: String?) {
        self.generatedAt = generatedAt
        self.analysis = analysis
        self.recommendations = recommendations
        self.host = host
        self.strips = strips
        self.queuePeaks = queuePeaks
        self.setGrowth = setGrowth
        self.schedules = schedules
        self.appVersion = appVersion
    }
}
