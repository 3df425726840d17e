import Foundation
import Testing

/// sidekiq-cron 2.x keeps jobs under `cron_jobs:<namespace>` and `cron_job:<namespace>:<name>`
/// (sidekiq-layout §12). No shared fixture has them, so these keys are written from the spec.
@Suite("sidekiq-cron 2.x keys")
struct CronV2Tests {
    @Test func cronV2JobsAreListedWithTheirNamespaceAndState() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S4"), into: server)
        try server.cli("SADD", "cron_jobs:default", "cron_job:default:trends-refresh")
        try server.cli(
            "HSET", "cron_job:default:trends-refresh", "name", "trends-refresh", "namespace", "default",
            "klass", "Scheduler::Trends::RefreshScheduler", "cron", "*/5 * * * *", "description", "", "source", "schedule",
            "args", "[]", "message",
            "{\"retry\":true,\"queue\":\"scheduler\",\"class\":\"Scheduler::Trends::RefreshScheduler\",\"args\":[]}",
            "status", "disabled", "active_job", "0", "retry", "true", "date_as_argument", "0", "symbolize_args", "0",
            "last_enqueue_time", "2026-11-26 17:35:00 +0000")
        try server.cli("SADD", "cron_jobs:reports", "cron_job:reports:weekly")
        try server.cli(
            "HSET", "cron_job:reports:weekly", "name", "weekly", "namespace", "reports", "klass", "WeeklyDigestJob",
            "cron", "0 4 * * 1", "status", "enabled", "last_enqueue_time", "")

        let defaultOnly = try Kiqprof.run(["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt)]).json()
        let schedules = defaultOnly["schedules"] as! [[String: Any]]
        #expect(schedules.count == 1)
        let trends = schedules[0]
        #expect(trends["name"] as? String == "trends-refresh")
        #expect(trends["source"] as? String == "sidekiq-cron")
        #expect(trends["cron_namespace"] as? String == "default")
        #expect(trends["class"] as? String == "Scheduler::Trends::RefreshScheduler")
        #expect(trends["enabled"] as? Bool == false)
        #expect(trends["queue"] as? String == "scheduler")
        #expect(trends["period_s"] as? Int == 300)
        #expect(trends["last_run"] as? String == "2026-11-26T17:35:00.000Z")

        let both = try Kiqprof.run(["status", "--json", "--redis", server.unixURL, "--cron-namespace", "reports"]).json()
        let weekly = (both["schedules"] as! [[String: Any]]).first { $0["name"] as? String == "weekly" }
        #expect(weekly?["enabled"] as? Bool == true)
        #expect(weekly?["period_s"] as? Int == 604800)
        #expect(weekly?["last_run"] is NSNull)
    }
}
