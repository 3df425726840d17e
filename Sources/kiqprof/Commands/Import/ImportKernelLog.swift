import ArgumentParser
import Foundation
import KiqprofCore

extension KiqprofCommand {
    struct ImportKernelLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kernel-log",
            abstract: "Import OOM kills and boots from a kernel log: dmesg, journalctl -k (short, short-iso, json) or kern.log.",
            discussion: """
              Each OOM kill keeps its time, pid, process name, RSS and memory cgroup; `incident` matches it to the \
              Sidekiq process of that host and pid and to the runs it had in flight, and reports the restart. \
              `dmesg` without -T counts seconds from boot: on the machine and boot it came from that is read from \
              /proc/stat, elsewhere give --boot-time. Lines that are not a kernel log's are skipped and counted.

              Examples:
                dmesg | kiqprof import kernel-log -
                journalctl -k -o json --since yesterday | kiqprof import kernel-log -
                kiqprof import kernel-log /var/log/kern.log --host mastodon-vm
              """)

        @Argument(help: ArgumentHelp("The log file, or - for stdin.", valueName: "file"))
        var file: String

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("Host the log is from, where lines do not say (dmesg). Default: this machine.", valueName: "name"))
        var host: String?

        @Option(name: .customLong("boot-time"), help: ArgumentHelp(
            "When the boot of a dmesg log began (ISO time or epoch seconds). Default: this machine's current boot.", valueName: "time"))
        var bootTime: String?

        @Option(help: ArgumentHelp(
            "Year of syslog and journalctl -o short times, which have none (default: this year).", valueName: "year"))
        var year: Int?

        @Option(help: ArgumentHelp(
            "Zone of times without an offset: UTC, +01:00, -0500 or a name like Europe/Berlin (default: this machine's).",
            valueName: "zone"))
        var tz: String?

        @Flag(name: .customLong("dry-run"), help: "Parse only; write nothing.")
        var dryRun = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func validate() throws {
            if let tz, ZoneOffset.parse(tz) == nil {
                throw ValidationError("--tz '\(tz)' is not UTC, an offset like +01:00, or a zone name")
            }
            if let bootTime, Self.epoch(bootTime) == nil {
                throw ValidationError("--boot-time '\(bootTime)' is not an ISO time (2026-12-04T14:00:00Z) or epoch seconds")
            }
        }

        static func epoch(_ text: String) -> Double? { Double(text) ?? TimeExpression.parseISO(text) }

        func run() throws {
            let now = MonotonicClock.now()
            let clock = KernelLogParser.Clock(
                year: year ?? Int(ISOTimestamp.format(now).prefix(4))!, utcOffset: tz.flatMap(ZoneOffset.parse) ?? ZoneOffset.local,
                bootTime: bootTime.flatMap(Self.epoch) ?? ProcHostSampler.bootTime())
            var importer = KernelLogImporter(clock: clock, host: host ?? ProcHostSampler.hostName())
            importer.dryRun = dryRun
            let summary = try importer.run(path: file, store: dryRun ? nil : try store.open())
            print(json ? ImportSummaryRenderer.json(summary).serialized() : ImportSummaryRenderer.text(summary), terminator: "")
        }
    }
}
