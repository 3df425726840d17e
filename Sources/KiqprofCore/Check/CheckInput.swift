/// Everything `HealthCheck` judges, gathered by `CheckSession` from Redis and the store (or built by tests).
public struct CheckInput: Sendable {
    public var now: Double
    /// Sidekiq's state; nil when Redis could not be read (`failures` says why).
    public var status: SidekiqStatus?
    public var failures: [String] = []
    /// The store's facts; nil when no store was read.
    public var store: StoreFacts?

    /// What the store says about the recent past.
    public struct StoreFacts: Sendable {
        /// The newest sample the recorder wrote (host, process or set sample), and its typical interval.
        public var newestSample: Double?
        public var recorderInterval: Double?
        /// The newest host's recent samples (oldest first): enough for CPU streaks and the memory trend.
        public var hostSamples: [HostSample] = []
        /// The set sizes the recorder saw: newest, and the oldest within the last hour.
        public var setsNewest: (t: Double, retry: Int, dead: Int)?
        public var setsHourAgo: (t: Double, retry: Int, dead: Int)?
        /// Closed durations of the classes that matter now (busy or periodic), oldest first.
        public var durations: [String: [Double]] = [:]
        /// Schedules the store last saw, for when Redis does not list them.
        public var schedules: [PeriodicSchedule] = []

        public init() {}
    }

    public init(now: Double) {
        self.now = now
    }
}
