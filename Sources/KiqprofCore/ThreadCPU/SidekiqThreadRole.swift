/// What a Sidekiq process's kernel thread does, from the name Sidekiq gives it. 6.x names its job threads
/// `processor` (beside `heartbeat` and `scheduler`); 7.x and 8.x name them `sidekiq.<capsule>/processor`,
/// which the kernel cuts to 15 bytes (`sidekiq.default`), beside `sidekiq.heartbe` and `sidekiq.schedul`.
public enum SidekiqThreadRole: Sendable, Equatable {
    /// Runs jobs, one at a time.
    case processor
    /// Sidekiq's own housekeeping (heartbeat, scheduled-set poller, launcher).
    case housekeeping
    /// Not named by Sidekiq (the main thread, the VM's timer, a library's pool).
    case other

    public init(name: String) {
        if name == "processor" || name.hasSuffix("/processor") {
            self = .processor
        } else if name.hasPrefix("sidekiq.") {
            let rest = name.dropFirst("sidekiq.".count)
            let housekeeping = ["heartbeat", "scheduler", "launcher", "manager", "poller"]
            // A 15-byte name is cut: "sidekiq.heartbe" is the heartbeat.
            self = housekeeping.contains { $0.hasPrefix(rest) } ? .housekeeping : .processor
        } else if name == "heartbeat" || name == "scheduler" {
            self = .housekeeping
        } else {
            self = .other
        }
    }
}
