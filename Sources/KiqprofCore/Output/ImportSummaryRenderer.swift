/// Renders an import's summary for people or scripts.
public enum ImportSummaryRenderer {
    public static func json(_ summary: ImportSummary) -> JSONValue {
        .object([
            ("source", .string(summary.source)), ("kind", .string(summary.kind.rawValue)), ("dry_run", .bool(summary.dryRun)),
            ("lines", .int(summary.lines)), ("bytes", .int(summary.bytes)), ("runs_added", .int(summary.runsAdded)),
            ("open_runs", .int(summary.openRuns)), ("samples_added", .int(summary.samplesAdded)),
            ("oom_kills_added", .int(summary.oomKillsAdded)), ("boots_added", .int(summary.boots)),
            ("duplicates_skipped", .int(summary.duplicatesSkipped)), ("already_imported", .bool(summary.alreadyImported)),
            ("superseded_polled_runs", .int(summary.supersededPolledRuns)), ("not_understood", .int(summary.notUnderstood)),
            ("examples", .strings(summary.examples)),
        ])
    }

    public static func text(_ summary: ImportSummary) -> String {
        if summary.kind == .kernelLog { return kernelText(summary) }
        if summary.kind != .sidekiqLog { return samplesText(summary) }
        var out = "\(summary.source): \(summary.lines) lines"
        if summary.alreadyImported {
            out += ", already imported: \(summary.duplicatesSkipped) duplicate runs skipped, nothing added\n"
        } else if summary.dryRun {
            out += ", \(summary.runsAdded) runs found (\(summary.openRuns) open); dry run, nothing written\n"
        } else {
            out += ", \(summary.runsAdded) runs added (\(summary.openRuns) open)"
            if summary.samplesAdded > 0 { out += ", \(summary.samplesAdded) samples added" }
            if summary.supersededPolledRuns > 0 { out += ", \(summary.supersededPolledRuns) polled runs superseded" }
            if summary.duplicatesSkipped > 0 { out += ", \(summary.duplicatesSkipped) already stored by an overlapping import (skipped)" }
            out += "\n"
        }
        if summary.notUnderstood > 0 {
            out += "\(summary.notUnderstood) lines not understood (skipped), e.g.:\n"
            for example in summary.examples { out += "  \(example)\n" }
        }
        return out
    }

    static func kernelText(_ summary: ImportSummary) -> String {
        var out = "\(summary.source): \(summary.lines) lines, \(summary.oomKillsAdded) OOM kills and \(summary.boots) boots"
        if summary.alreadyImported {
            out += "; already imported: nothing added\n"
        } else if summary.dryRun {
            out += " found; dry run, nothing written\n"
        } else {
            out += " added"
            if summary.duplicatesSkipped > 0 { out += ", \(summary.duplicatesSkipped) already stored (skipped)" }
            out += "\n"
        }
        if summary.notUnderstood > 0 {
            out += "\(summary.notUnderstood) lines not understood (skipped), e.g.:\n"
            for example in summary.examples { out += "  \(example)\n" }
        }
        return out
    }

    static func samplesText(_ summary: ImportSummary) -> String {
        var out = "\(summary.source): \(summary.lines) host samples (\(summary.kind.rawValue))"
        if summary.alreadyImported {
            out += ", already imported: nothing added\n"
        } else if summary.dryRun {
            out += "; dry run, nothing written\n"
        } else {
            out += ", \(summary.samplesAdded) added"
            if summary.boots > 0 { out += ", \(summary.boots) boots (LINUX RESTART)" }
            if summary.duplicatesSkipped > 0 {
                out += ", \(summary.duplicatesSkipped) skipped (already stored, or another source covers those instants)"
            }
            out += "\n"
        }
        if summary.notUnderstood > 0 {
            out += "\(summary.notUnderstood) entries not understood (skipped), e.g.:\n"
            for example in summary.examples { out += "  \(example)\n" }
        }
        return out
    }
}
