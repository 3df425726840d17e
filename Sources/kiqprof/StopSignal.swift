#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGINT and SIGTERM set a flag that long-running commands poll, so they flush and exit 0.
enum StopSignal {
    static let requested = Atomic<Bool>(false)

    static func install() {
        // A parent (a test runner, some service managers) may have blocked these; unblock them first.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in StopSignal.requested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in StopSignal.requested.store(true, ordering: .relaxed) }
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
