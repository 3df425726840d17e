/// What `kiqprof census` found: per-class counts over every queue and the retry/schedule/dead sets.
public struct CensusResult: Sendable, Equatable {
    public struct ClassSummary: Sendable, Equatable {
        public var jobClass: String
        public var total: Int
        /// `queue:NAME`, `retry`, `schedule` or `dead` → count.
        public var byLocation: [String: Int]
        /// Epoch seconds of the oldest `enqueued_at` (or `created_at`) among this class's payloads.
        public var oldestEnqueuedAt: Double?
        public var payloadBytesTotal: Int
        public var payloadBytesMax: Int
        public var errorClasses: [String: Int]
    }

    public struct Unparseable: Sendable, Equatable {
        public var key: String
        public var index: Int
        public var reason: String
    }

    public var now: Double
    public var classes: [ClassSummary]
    /// The first `CensusAccumulator.unparseableExampleLimit` unparseable payloads.
    public var unparseable: [Unparseable]
    public var unparseableCount: Int
    /// Keys that could not be read (e.g. WRONGTYPE); each names its key.
    public var warnings: [String]

    public var totalJobs: Int { classes.reduce(0) { $0 + $1.total } }
}
