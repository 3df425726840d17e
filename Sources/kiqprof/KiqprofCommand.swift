import ArgumentParser
import KiqprofCore

@main
struct KiqprofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiqprof",
        abstract: "Find the Sidekiq job that took your server down.",
        discussion: """
            kiqprof reads Sidekiq's state from Redis (read-only: it never writes unless a command \
            takes --apply), for Sidekiq 6.x, 7.x and 8.x, redis-namespace, sidekiq-scheduler and sidekiq-cron.

            Right now (processes, queues, running jobs, schedules; what waits where):
              kiqprof status --env-file /home/mastodon/live/.env.production
              kiqprof census

            After an outage (import what you have; find the windows and the suspects):
              journalctl -u mastodon-sidekiq -o json | kiqprof import sidekiq-log -
              kiqprof import sar /var/log/sysstat/sa24
              kiqprof incident --at "2026-11-24 14:30" --window 30m
              kiqprof recommend --last 6h
              kiqprof report --last 24h --format html -o report.html
              kiqprof capacity --last 30d --instance t4g.small

            Before the next one (keep history and serve /metrics; alarm early; switch a periodic job off):
              kiqprof record --env-file /home/mastodon/live/.env.production --listen 127.0.0.1:9127
              kiqprof check --env-file /home/mastodon/live/.env.production
              kiqprof toggle disable trends_refresh_scheduler

            Exit codes: 0 success, 1 the operation failed (unreachable Redis, unreadable file), 64 usage error; \
            check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
            """,
        version: KiqprofVersion.current,
        subcommands: [
            Status.self, Census.self, Check.self, Record.self, Runs.self, Import.self, Incident.self, Recommend.self, Report.self,
            Capacity.self, Toggle.self,
        ]
    )
}
