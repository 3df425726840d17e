#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar on stderr, drawn only when stderr is a terminal, redrawn at most ten times a second.
public final class ProgressBar {
    private let label: String
    private let enabled: Bool
    private var lastDraw: Double = 0
    private var drawn = false

    public init(label: String, enabled: Bool = StandardError.isTerminal) {
        self.label = label
        self.enabled = enabled
    }

    public func update(_ done: Int, of total: Int) {
        guard enabled else { return }
        let now = MonotonicClock.seconds()
        guard now - lastDraw >= 0.1 || done >= total else { return }
        lastDraw = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = "\r\(label) \(bar) \(Int(fraction * 100))% \(done)/\(total)"
        StandardError.write(line)
        drawn = true
    }

    public func finish() {
        guard enabled, drawn else { return }
        StandardError.write("\r\u{1B}[K")
        drawn = false
    }
}

// Used from the one thread that runs a command.
@available(*, unavailable)
extension ProgressBar: Sendable {}
