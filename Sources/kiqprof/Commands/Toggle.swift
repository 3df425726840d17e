import ArgumentParser
import KiqprofCore

extension PeriodicSchedule.Source: ExpressibleByArgument {}

extension KiqprofCommand {
    struct Toggle: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, disable or enable sidekiq-scheduler and sidekiq-cron schedules (dry run unless --apply).",
            discussion: """
              Stops a periodic job from being enqueued without a deploy or a restart, the way the \
              Web UI's toggle does. kiqprof finds which scheduler really holds the name \
              (sidekiq-scheduler, sidekiq-cron, or both), the exact key (with the redis-namespace and \
              sidekiq-scheduler's key prefix) and its current state. By default it only prints the \
              exact redis-cli command and changes nothing; --apply sends that one HSET on a \
              connection allowed no other write, reads the value back, and prints the undo command.

              What disable writes (enable writes {"enabled":true} or status enabled):
              sidekiq-scheduler  HSET [<ns>:][<prefix>:]sidekiq-scheduler:states NAME \\
                                     '{"enabled":false}'
              sidekiq-cron 1.x   HSET [<ns>:]cron_job:NAME status disabled
              sidekiq-cron 2.x   HSET cron_job:<cron-namespace>:NAME status disabled

              Example: Mastodon's trends refresh is hurting the server.
              cd /home/mastodon/live
                kiqprof toggle list --env-file .env.production
                kiqprof toggle disable trends_refresh_scheduler --env-file .env.production
                  # a dry run: changes nothing and prints the command, e.g.
                  # redis-cli -h 127.0.0.1 -p 6379 HSET mastodon:sidekiq-scheduler:states \\
                  #   trends_refresh_scheduler '{"enabled":false}'
                kiqprof toggle disable trends_refresh_scheduler --apply \\
                  --env-file .env.production
              Undo it once the incident is over:
                kiqprof toggle enable trends_refresh_scheduler --apply \\
                  --env-file .env.production

              NAME is a schedule name, or a job class with exactly one schedule \
              (Scheduler::Trends::RefreshScheduler). An unknown or ambiguous name is refused \
              (exit 1) with the closest schedules listed; --scheduler picks one when both \
              schedulers have the name.
              """,
            subcommands: [List.self, Disable.self, Enable.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Every schedule with its scheduler, class, cron/every, state, and the key and field that hold the state.",
                discussion: """
                  Examples:
                    kiqprof toggle list
                    kiqprof toggle list --redis unix:///var/run/redis/redis.sock?db=0 --namespace mastodon --json
                  """)

            @OptionGroup var connection: RedisOptions
            @Flag(name: .long, help: "Print machine-readable JSON on stdout, nothing else.") var json = false

            func run() throws {
                let target = try connection.target()
                let toggler = ScheduleToggler(
                    connection: try target.open(), keyspace: target.keyspace, cronNamespaces: target.cronNamespaces)
                let (schedules, warnings) = try toggler.schedules(now: MonotonicClock.now())
                if json {
                    print(ToggleRenderer.listJSON(schedules, warnings: warnings).serialized(), terminator: "")
                } else {
                    print(ToggleRenderer.listText(schedules, warnings: warnings, endpoint: target.endpoint.description), terminator: "")
                }
            }
        }

        struct Disable: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Disable a schedule (dry run: prints the exact Redis command unless --apply).",
                discussion: """
                  Examples:
                    kiqprof toggle disable trends_refresh_scheduler
                    kiqprof toggle disable trends-refresh --namespace mastodon --apply
                  """)

            @OptionGroup var options: ToggleOptions

            func run() throws { try options.run(.disable) }
        }

        struct Enable: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Enable a schedule again (dry run: prints the exact Redis command unless --apply).",
                discussion: """
                  Writes {"enabled":true} for sidekiq-scheduler and status=enabled for sidekiq-cron.

                  Examples:
                    kiqprof toggle enable trends_refresh_scheduler --apply
                  """)

            @OptionGroup var options: ToggleOptions

            func run() throws { try options.run(.enable) }
        }
    }
}

/// What `toggle disable` and `toggle enable` share.
struct ToggleOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Schedule name (or a job class with exactly one schedule).", valueName: "name"))
    var name: String

    @Option(name: .long, help: ArgumentHelp(
        "Which scheduler holds NAME, when both do: sidekiq-scheduler or sidekiq-cron.", valueName: "scheduler"))
    var scheduler: PeriodicSchedule.Source?

    @Flag(name: .long, help: "Really write to Redis (default: a dry run that only prints the command).")
    var apply = false

    @OptionGroup var connection: RedisOptions

    @Flag(name: .long, help: "Print machine-readable JSON on stdout, nothing else.")
    var json = false

    func run(_ action: TogglePlan.Action) throws {
        let target = try connection.target()
        let toggler = ScheduleToggler(connection: try target.open(), keyspace: target.keyspace, cronNamespaces: target.cronNamespaces)
        let (plan, warnings) = try toggler.plan(action, name: name, scheduler: scheduler, now: MonotonicClock.now())
        let result: ToggleResult
        if plan.isNoOp {
            result = ToggleResult(plan: plan, status: .unchanged, after: plan.before)
        } else if apply {
            let after = try ScheduleToggler.apply(plan, endpoint: target.endpoint, timeoutSeconds: target.timeout)
            result = ToggleResult(plan: plan, status: .applied, after: after)
        } else {
            result = ToggleResult(plan: plan, status: .dryRun, after: plan.before)
        }
        if json {
            print(ToggleRenderer.resultJSON(result, endpoint: target.endpoint, warnings: warnings).serialized(), terminator: "")
        } else {
            print(ToggleRenderer.resultText(result, endpoint: target.endpoint, warnings: warnings), terminator: "")
        }
    }
}
