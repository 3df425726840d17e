/// The CPU one run's thread used, measured from the kernel's per-thread accounting (/proc/PID/task/TID):
/// the estimate, the bounds the poll brackets allow around its start and end, and how sure the mapping from
/// Sidekiq's `tid` to the kernel thread is.
public struct RunCPU: Sendable, Equatable {
    /// CPU seconds over the run.
    public var seconds: Double
    /// The least and most the thread could have used over the run, given where the start and end can lie.
    public var minSeconds: Double
    public var maxSeconds: Double
    public var mapping: ThreadMappingConfidence

    public init(seconds: Double, minSeconds: Double, maxSeconds: Double, mapping: ThreadMappingConfidence) {
        self.seconds = seconds
        self.minSeconds = min(minSeconds, seconds)
        self.maxSeconds = max(maxSeconds, seconds)
        self.mapping = mapping
    }

    /// CPU per second of wall time (1 = a whole core); nil for a run of no measurable duration.
    public func share(duration: Double?) -> Double? {
        guard let duration, duration > 0 else { return nil }
        return seconds / duration
    }
}
