import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show Sidekiq's processes, queues, longest-running jobs and periodic schedules.",
            discussion: """
              Like sidekiqmon and the Web UI's Busy page, and more: busy jobs sorted longest-running first, \
              stale heartbeats (older than three beats: 15 s on 6.x, 30 s on 7/8) and processes that \
              vanished (crashed or OOM-killed), and every sidekiq-scheduler / sidekiq-cron schedule with \
              whether it is enabled. Two pipelined round trips; read-only.

              Examples:
                kiqprof status
                kiqprof status --redis unix:///var/run/redis/redis.sock?db=0 --json
                kiqprof status --env-file /home/mastodon/live/.env.production
              """)

        @OptionGroup var connection: RedisOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let now = try output.resolvedNow()
            let target = try connection.target()
            let status = try target.stateReader().readStatus(now: now)
            if output.json {
                print(StatusRenderer.json(status).serialized(), terminator: "")
            } else {
                print(StatusRenderer.text(status, endpoint: target.endpoint.description), terminator: "")
            }
        }
    }
}
