/// What a job thread did between two polls, from its CPU and how often it was scheduled: the pattern that
/// tells which kernel thread runs which Sidekiq thread's job.
enum ThreadActivity: Int, CaseIterable, Sendable {
    /// At least `heavyRate` CPU per second: a CPU-bound job.
    case heavy
    /// Some CPU (more than `lightRate`): a job that also waits, or one slowed by others through the GVL.
    case light
    /// Scheduled but used next to no CPU: a processor waiting in Redis for work wakes every 2 s.
    case waiting
    /// Not scheduled at all: a job sleeping or blocked on a long read.
    case dormant
    /// Next to no CPU, and whether it ran is unknown (no schedstat).
    case idle

    static let heavyRate = 0.2
    static let lightRate = 0.005

    init(cpuSeconds: Double, timeslices: Double?, over seconds: Double) {
        let rate = cpuSeconds / max(seconds, 1e-3)
        if rate >= Self.heavyRate {
            self = .heavy
        } else if rate > Self.lightRate {
            self = .light
        } else if let timeslices {
            self = timeslices > 0 ? .waiting : .dormant
        } else {
            self = .idle
        }
    }
}
