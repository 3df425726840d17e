import ArgumentParser
import Foundation
import KiqprofCore

extension KiqprofCommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A periodic report: what ran, how long, what it cost the host, what looks dangerous, and what to do.",
            discussion: """
              Contents: a summary, outage windows, ranked suspects with evidence, a per-class table (runs, failures, \
              p50/p95/max, busy share, CPU/memory lift and attribution), periodic jobs (period, duration against \
              period, overlaps, enabled), queue latency peaks, retry/dead growth, and the recommendations. \
              HTML is one self-contained file (inline SVG, no network, no script) with a timeline of host CPU, \
              memory and load over the runs of the top suspects. Markdown pastes into a GitHub or GitLab issue. \
              Every string from Redis or a log is escaped; job arguments are never stored, so never shown.

              Examples:
                kiqprof report --last 24h --format html -o report.html
                kiqprof report --since-last --format markdown
                kiqprof report --last 7d --format json | jq .incident.suspects[0]
              """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, markdown, html, json
        }

        @OptionGroup var options: AnalysisOptions

        @Option(help: ArgumentHelp("text, markdown, html or json.", valueName: "format"))
        var format: Format = .text

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the report to this file instead of stdout.", valueName: "file"))
        var output: String?

        @Flag(help: "Start where the previous report (of this store) ended; everything when there was none.")
        var sinceLast = false

        @Flag(help: "Print how long each phase took (load and analyse, recommend, build the model, render) on stderr.")
        var timings = false

        func validate() throws {
            if sinceLast && (options.window.from != nil || options.window.last != nil || options.window.at != nil) {
                throw ValidationError("--since-last sets the start itself; combine it only with --to")
            }
        }

        func run() throws {
            var clock = MonotonicClock.now()
            var phases: [(String, Double)] = []
            func lap(_ name: String) {
                let now = MonotonicClock.now()
                phases.append((name, now - clock))
                clock = now
            }
            let loaded = try options.load(sinceLastReport: sinceLast)
            lap("load and analyse")
            let recommender = Recommender(rules: loaded.ruleBook, appVersion: options.version, schedules: loaded.dataset.schedules)
            let result = recommender.recommend(loaded.analysis, processes: .measure(loaded.dataset, from: loaded.from, to: loaded.to))
            lap("recommend")
            let model = ReportModelBuilder.build(dataset: loaded.dataset, analysis: loaded.analysis,
                                                 recommendations: result.recommendations,
                                                 generatedAt: Date().timeIntervalSince1970, appVersion: options.appVersion)
            lap("build the report model")
            let rendered: String
            switch format {
            case .text: rendered = ReportRenderer.text(model)
            case .markdown: rendered = ReportRenderer.markdown(model)
            case .json: rendered = ReportRenderer.json(model).serialized()
            case .html: rendered = ReportHTMLRenderer.html(model)
            }
            lap("render \(format.rawValue)")
            if let output {
                do {
                    try rendered.write(toFile: output, atomically: true, encoding: .utf8)
                } catch {
                    throw KiqprofError.invalidArgument("cannot write the report to \(output): \(error.localizedDescription)")
                }
                let window = "\(ISOTimestamp.short(loaded.from)) → \(ISOTimestamp.short(loaded.to))"
                Diagnostics.info("wrote \(output) (\(rendered.utf8.count / 1024) KiB, \(format.rawValue)), \(window)")
            } else {
                print(rendered, terminator: rendered.hasSuffix("\n") ? "" : "\n")
            }
            try loaded.store.setLastReportEnd(loaded.to)
            lap("write")
            if timings {
                for (name, seconds) in phases { Diagnostics.info(String(format: "timing: %-24@ %.3f s", name as NSString, seconds)) }
            }
        }
    }
}

