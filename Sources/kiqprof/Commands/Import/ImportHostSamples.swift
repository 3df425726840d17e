import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct ImportHostSamples<Format: HostSampleFormat>: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: Format.format.rawValue, abstract: Format.abstract,
                discussion: "A broken document (e.g. a cut-off JSON export) is refused and writes nothing. "
                    + "Samples of an instant another source already covers for the host are skipped.\n\nExamples:\n" + Format.examples)
        }

        @Argument(help: ArgumentHelp("The export, or - for stdin.", valueName: "file"))
        var file: String

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("Host the samples describe, where the data does not say. Default: this machine.", valueName: "name"))
        var host: String?

        @Flag(name: .customLong("dry-run"), help: "Parse only; write nothing.")
        var dryRun = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() throws {
            var importer = HostSampleImporter(format: Format.format, host: host)
            importer.dryRun = dryRun
            let summary = try importer.run(path: file, store: dryRun ? nil : try store.open())
            print(json ? ImportSummaryRenderer.json(summary).serialized() : ImportSummaryRenderer.text(summary), terminator: "")
        }
    }
}
