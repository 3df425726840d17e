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

            Start here:
              kiqprof status                      processes, queues, the longest-running jobs, schedules
              kiqprof census                      what is waiting in queues, retry, schedule and dead, per class
              kiqprof incident --last 6h          what took the server down: outage windows and ranked suspects
              kiqprof status --env-file /home/mastodon/live/.env.production

            Exit codes: 0 success, 1 the operation failed (unreachable Redis, unreadable file), 64 usage error.
            """,
        version: KiqprofVersion.current,
        subcommands: [Status.self, Census.self, Record.self, Runs.self, Import.self, Incident.self, Recommend.self, Report.self, Toggle.self]
    )
}
