import KiqprofCore
import Testing

/// What a kernel thread does, from the name Sidekiq gives it (`comm`, cut by the kernel to 15 bytes).
@Suite("thread CPU: Sidekiq thread roles from thread names")
struct SidekiqThreadRoleTests {
    @Test(arguments: ["processor", "default/processor", "sidekiq.default", "sidekiq.critica", "sidekiq.low", "sidekiq.m/proce"])
    func jobThreadsAreProcessors(name: String) {
        #expect(SidekiqThreadRole(name: name) == .processor)
    }

    @Test(arguments: ["heartbeat", "scheduler", "sidekiq.heartbe", "sidekiq.schedul", "sidekiq.launche", "sidekiq.manager",
                      "sidekiq.poller"])
    func sidekiqsOwnThreadsAreHousekeeping(name: String) {
        #expect(SidekiqThreadRole(name: name) == .housekeeping)
    }

    @Test(arguments: ["ruby", "bundle", "puma 001", "", "sidekiq", "Sidekiq.default", "timer-thread", "processors"])
    func threadsSidekiqDidNotNameAreOther(name: String) {
        #expect(SidekiqThreadRole(name: name) == .other)
    }
}
