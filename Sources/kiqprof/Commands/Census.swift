import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Census: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count every waiting job per class across queues and the retry, schedule and dead sets.",
            discussion: """
              Walks each queue list and sorted set in pages of at most 1,000 elements (8 pages pipelined), \
              so no single Redis command runs long, and keeps memory bounded however large the queues are. \
              Payloads that are not valid Sidekiq jobs are counted and listed with their key and index. \
              Lists are read while Sidekiq keeps working, so counts are a snapshot taken over the walk.

              Examples:
                kiqprof census
                kiqprof census --json | jq '.classes[] | {class, total}'
              """)

        @OptionGroup var connection: RedisOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let now = try output.resolvedNow()
            let target = try connection.target()
            let census = SidekiqCensus(connection: try target.open(), keyspace: target.keyspace)
            let bar = ProgressBar(label: "census")
            let result = try census.run(now: now) { done, total in bar.update(done, of: total) }
            bar.finish()
            if output.json {
                print(CensusRenderer.json(result).serialized(), terminator: "")
            } else {
                print(CensusRenderer.text(result), terminator: "")
            }
        }
    }
}
