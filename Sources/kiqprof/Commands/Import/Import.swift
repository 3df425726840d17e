import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import evidence you already have: Sidekiq logs (files, journald) "
                + "host metrics (sar, CloudWatch, Prometheus, CSV) and OOM kills (kernel logs).",
            discussion: """
              Each import is one transaction: it all lands, or nothing does. Importing the same content twice \
              adds nothing. Runs from a log supersede polled runs of the same jid (their times are exact).
              """,
            subcommands: [
                ImportSidekiqLog.self, ImportMetrics.self, ImportHostSamples<SarFormat>.self, ImportHostSamples<CloudWatchFormat>.self,
                ImportHostSamples<PrometheusFormat>.self, ImportHostSamples<CSVFormat>.self, ImportKernelLog.self,
            ])
    }
}
