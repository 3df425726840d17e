/// One kill by the kernel's OOM killer, as a kernel log tells it: when, which process, how big it was and
/// in which memory cgroup. `import kernel-log` reads them, the store keeps them (`oom_kill`), and the
/// analysis matches each to the Sidekiq process of that host and pid and the runs it had in flight.
public struct OOMKill: Sendable, Equatable {
    /// Epoch seconds.
    public var t: Double
    public var host: String
    public var pid: Int
    /// The kernel's name for the task (`comm`): `ruby` for Sidekiq, whatever its process title says.
    public var process: String
    /// anon-rss + file-rss + shmem-rss at the kill, KiB.
    public var rssKiB: Int?
    /// The memory cgroup of the killed task (`task_memcg`), and the one that ran out (`oom_memcg`, cgroup OOMs only).
    public var cgroup: String?
    public var oomCgroup: String?
    /// `CONSTRAINT_NONE` (the whole host ran out), `CONSTRAINT_MEMCG` (a cgroup's limit), `CONSTRAINT_CPUSET`,
    /// `CONSTRAINT_MEMORY_POLICY`; nil on kernels before 4.19, which do not say.
    public var constraint: String?
    /// The task whose allocation invoked the OOM killer (often not the one killed).
    public var trigger: String?

    public init(t: Double, host: String, pid: Int, process: String, rssKiB: Int? = nil, cgroup: String? = nil, oomCgroup: String? = nil,
                constraint: String? = nil, trigger: String? = nil) {
        self.t = t
        self.host = host
        self.pid = pid
        self.process = process
        self.rssKiB = rssKiB
        self.cgroup = cgroup
        self.oomCgroup = oomCgroup
        self.constraint = constraint
        self.trigger = trigger
    }

    /// Whether a cgroup's limit, not the host's memory, ran out.
    public var isCgroupLimit: Bool { constraint == "CONSTRAINT_MEMCG" || (constraint == nil && oomCgroup != nil) }
}
