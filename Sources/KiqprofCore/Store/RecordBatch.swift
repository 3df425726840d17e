/// What the recorder collected since its last flush; written in one transaction.
public struct RecordBatch: Sendable {
    public typealias ProcessSample = KiqprofCore.ProcessSample

    public struct QueueSample: Sendable {
        public var t: Double, queue: String, size: Int, latency: Double?
    }

    public struct SetSample: Sendable {
        public var t: Double, retry: Int, schedule: Int, dead: Int, processed: Int64?, failed: Int64?
    }

    public typealias Gap = ObservationGap

    public var runs: [JobRun] = []
    public var hostSamples: [HostSample] = []
    public var processSamples: [ProcessSample] = []
    public var queueSamples: [QueueSample] = []
    public var setSamples: [SetSample] = []
    public var gaps: [Gap] = []
    public var schedules: [PeriodicSchedule] = []
    public var schedulesSeenAt: Double = 0

    public init() {}

    public var isEmpty: Bool {
        runs.isEmpty && hostSamples.isEmpty && processSamples.isEmpty && queueSamples.isEmpty && setSamples.isEmpty
            && gaps.isEmpty && schedules.isEmpty
    }
}
