import ArgumentParser
import KiqprofCore

/// `--json` and `--now`, shared by the reporting commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON on stdout (schema in the README), nothing else.")
    var json = false

    @Option(name: .long, help: ArgumentHelp(
        "Pretend the current time is T (ISO-8601, epoch seconds, or -2h), for reproducible ages on saved data.", valueName: "time"))
    var now: String?

    func resolvedNow() throws -> Double {
        let clock = MonotonicClock.now()
        guard let now else { return clock }
        do {
            return try TimeExpression.parse(now, now: clock)
        } catch {
            throw ValidationError("--now: \(error)")
        }
    }
}
