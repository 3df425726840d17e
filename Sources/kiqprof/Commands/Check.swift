import ArgumentParser
import Foundation
import KiqprofCore

extension KiqprofCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A monitoring plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, with perfdata.",
            discussion: """
              Judges Sidekiq (heartbeat age, processes gone with busy jobs, queue latency, retry and dead \
              growth), slow and piled-up jobs (a busy job over k × its class's p95, a periodic job still \
              running when its next run is due, overlapping runs), the host from the recorder's newest \
              samples (MemAvailable, swap, PSI, CPU saturated for N s), and the recorder itself (the store's \
              newest sample older than three intervals). Forecasts warn early: a periodic class whose runs \
              grow toward its period, memory running out at the last 10 min's rate. A Redis or store error \
              is UNKNOWN (3). Prints one summary line, `|` and perfdata ('label'=value[UOM];warn;crit;min;max), \
              then one line per check. Never walks a queue. Thresholds and defaults: README, "kiqprof check".

              Examples:
                kiqprof check --env-file /home/mastodon/live/.env.production --db /var/lib/kiqprof/kiqprof.sqlite
                kiqprof check --warn queue_latency=2m --crit queue_latency=10m --skip swap_used
                kiqprof check --textfile /var/lib/prometheus/node-exporter/kiqprof.prom
              """)

        @OptionGroup var connection: RedisOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Also write the result in Prometheus textfile-collector format (atomically).", valueName: "path"))
        var textfile: String?

        @Option(help: ArgumentHelp("Warning threshold for a check, e.g. queue_latency=2m (repeatable).", valueName: "name=value"))
        var warn: [String] = []

        @Option(help: ArgumentHelp("Critical threshold for a check, e.g. mem_available=3 (repeatable).", valueName: "name=value"))
        var crit: [String] = []

        @Option(help: ArgumentHelp("Leave a check out (repeatable).", valueName: "name"))
        var skip: [String] = []

        @Flag(name: .customLong("no-store"), help: "Judge Redis alone (no host, recorder, growth or p95 checks).")
        var noStore = false

        @Option(help: ArgumentHelp("How far back the store's runs go for p95 and growth trends.", valueName: "duration"))
        var history: String = "24h"

        func validate() throws {
            _ = try healthCheck()
            do { _ = try DurationExpression.parse(history) } catch { throw ValidationError("--history: \(error)") }
        }

        func healthCheck() throws -> HealthCheck {
            var check = HealthCheck()
            func kind(_ name: String, option: String) throws -> CheckKind {
                guard let kind = CheckKind(rawValue: name) else {
                    throw ValidationError("\(option) '\(name)': unknown check; expected one of "
                        + CheckKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return kind
            }
            for (option, pairs) in [("--warn", warn), ("--crit", crit)] {
                for pair in pairs {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw ValidationError("\(option) '\(pair)': expected name=value, e.g. queue_latency=2m") }
                    let checkKind = try kind(parts[0], option: option)
                    let value: Double
                    do { value = try checkKind.parseThreshold(parts[1]) } catch { throw ValidationError("\(option) \(error)") }
                    if option == "--warn" { check.warn[checkKind] = value } else { check.crit[checkKind] = value }
                }
            }
            for name in skip { check.skipped.insert(try kind(name, option: "--skip")) }
            return check
        }

        func run() throws {
            let now = try output.resolvedNow()
            var result: CheckResult
            do {
                var session = CheckSession(redis: try connection.target(), storePath: noStore ? nil : store.path)
                session.check = try healthCheck()
                session.history = try DurationExpression.parse(history)
                result = session.run(now: now)
            } catch {
                result = CheckResult(now: now)
                result.failures = ["\(error)"]
            }
            if let textfile {
                do {
                    try AtomicFile.write(CheckRenderer.textfile(result), to: textfile)
                } catch {
                    result.failures.append("\(error)")
                }
            }
            if output.json {
                print(CheckRenderer.json(result).serialized(), terminator: "")
            } else {
                print(CheckRenderer.text(result), terminator: "")
            }
            throw ExitCode(result.state.exitCode)
        }
    }
}
