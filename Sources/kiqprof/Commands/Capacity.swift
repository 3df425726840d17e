import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Capacity: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Is this instance big enough, and how should Sidekiq be sized on it: CPU credits, memory headroom, settings.",
            discussion: """
              From the store (recorded or imported): host CPU against a burstable instance's baseline, with its CPU \
              credit balance simulated in standard mode (when it runs out and the CPU is held to the baseline) and in \
              unlimited mode (surplus credits, as vCPU-hours); imported CloudWatch CPUCreditBalance cross-checks it. \
              Peak and p99 memory and the headroom, each Sidekiq process's RSS growth, the largest per-run memory cost \
              per class. Then advice, each with its arithmetic: threads and processes for this memory, DB_POOL, \
              MALLOC_ARENA_MAX or jemalloc, RuntimeMaxSec, the smallest listed type that held the window with 20 % \
              headroom, and what disabling the top suspect's schedule would have changed. --unit and --env-file are \
              read for -c, DB_POOL, MAX_THREADS and MALLOC_ARENA_MAX, and combinations that cannot fit are flagged. \
              Types: t3, t3a, t4g, nano to 2xlarge (README, "Instance table").

              Examples:
                kiqprof capacity --instance t4g.small
                kiqprof capacity --last 30d --instance t3.small --unit /etc/systemd/system/mastodon-sidekiq.service \\
                  --env-file /home/mastodon/live/.env.production
                kiqprof capacity --instance t4g.small --json | jq '.advice[] | {kind, setting}'
              """)

        @OptionGroup var options: AnalysisOptions

        @Option(help: ArgumentHelp("The EC2 burstable type to judge against (t3, t3a, t4g; nano to 2xlarge).", valueName: "type"))
        var instance: String?

        @Option(help: ArgumentHelp(
            "CPU credits at the window's start (default: CloudWatch's CPUCreditBalance there, else a full balance).", valueName: "credits"))
        var startBalance: Double?

        @Option(help: ArgumentHelp("A systemd unit that starts Sidekiq (mastodon-sidekiq.service), for -c and Environment=.",
                                   valueName: "path"))
        var unit: String?

        @Flag(help: "Print JSON on stdout (schema in the README), nothing else.")
        var json = false

        func validate() throws {
            if let instance, BurstableInstance.named(instance) == nil {
                let family = instance.lowercased().prefix { $0 != "." }
                let listed = BurstableInstance.all.filter { $0.family == family }.map(\.name)
                throw ValidationError("--instance '\(instance)': not a listed burstable type; expected one of "
                    + (listed.isEmpty ? "t3.*, t3a.*, t4g.* (nano, micro, small, medium, large, xlarge, 2xlarge)"
                       : listed.joined(separator: ", ")))
            }
            if let startBalance, startBalance < 0 { throw ValidationError("--start-balance must be 0 or more credits") }
        }

        func run() throws {
            let database = try options.store.openExisting()
            let requested = try options.window.resolve()
            var session = AnalysisSession(store: database, from: requested.from, to: requested.to)
            session.ruleBook = try options.ruleBook()
            session.redis = options.connection.isGiven ? (try? options.connection.target()) : nil
            let capacity = CapacitySession(analysis: session, instance: instance.flatMap(BurstableInstance.named),
                                           startBalance: startBalance, unitPath: unit, envFilePath: options.connection.envFile)
            let result: CapacityAnalysis
            do {
                result = try capacity.run()
            } catch let failure as AnalysisSession.Failure {
                throw ValidationError(failure.description)
            }
            if json {
                print(CapacityRenderer.json(result).serialized(), terminator: "")
            } else {
                print(CapacityRenderer.text(result), terminator: "")
            }
        }
    }
}
