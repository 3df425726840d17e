/// One kernel thread of a local process at one poll: its name and the CPU it has used since it started.
public struct ThreadCPUReading: Sendable, Equatable, Codable {
    /// The kernel's thread id (/proc/PID/task/TID).
    public var tid: Int
    /// Its name (`comm`, at most 15 bytes): Sidekiq names its job threads (see `SidekiqThreadRole`).
    public var name: String
    /// CPU seconds it has used (schedstat's run time in ns, or utime+stime ticks where schedstat is missing).
    public var cpuSeconds: Double
    /// How many times it has been scheduled onto a CPU (schedstat's third field); nil where unknown. A thread
    /// waiting for work in Redis wakes every couple of seconds; one inside a job that sleeps does not run at all.
    public var timeslices: Double?
    /// Seconds it has spent runnable but waiting for a CPU (schedstat's second field); nil where unknown. A job
    /// that a busy host starves of CPU waits here; one that finished waits for work off the run queue.
    public var waitingSeconds: Double?

    public init(tid: Int, name: String, cpuSeconds: Double, timeslices: Double?, waitingSeconds: Double? = nil) {
        self.tid = tid
        self.name = name
        self.cpuSeconds = cpuSeconds
        self.timeslices = timeslices
        self.waitingSeconds = waitingSeconds
    }
}
