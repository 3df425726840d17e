import ArgumentParser
import KiqprofCore

/// The analysed window: `--from/--to`, `--last D`, or `--at T --window D`; without any, everything.
struct WindowOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the window (ISO-8601, epoch seconds, -2h).", valueName: "time")) var from: String?
    @Option(help: ArgumentHelp("End of the window.", valueName: "time")) var to: String?
    @Option(help: ArgumentHelp("The window ending now, e.g. 24h.", valueName: "duration")) var last: String?
    @Option(help: ArgumentHelp("The centre of a window of ± --window.", valueName: "time")) var at: String?
    @Option(help: ArgumentHelp("Half-width around --at (default 30m).", valueName: "duration")) var window: String?

    func validate() throws {
        if last != nil && (from != nil || to != nil || at != nil) {
            throw ValidationError("--last cannot be combined with --from/--to/--at")
        }
        if at != nil && (from != nil || to != nil) { throw ValidationError("--at cannot be combined with --from/--to") }
        if window != nil && at == nil { throw ValidationError("--window needs --at") }
        _ = try resolve()
    }

    func resolve() throws -> (from: Double?, to: Double?) {
        let now = MonotonicClock.now()
        do {
            if let last { return (now - (try DurationExpression.parse(last)), now) }
            if let at {
                let centre = try TimeExpression.parse(at, now: now)
                let half = try DurationExpression.parse(window ?? "30m")
                return (centre - half, centre + half)
            }
            return (try from.map { try TimeExpression.parse($0, now: now) }, try to.map { try TimeExpression.parse($0, now: now) })
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
