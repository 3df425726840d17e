import KiqprofCore

/// Warnings and progress go to stderr so `--json` output on stdout stays clean.
enum Diagnostics {
    static func warn(_ message: String) {
        StandardError.write("kiqprof: warning: \(message)\n")
    }

    static func info(_ message: String) {
        StandardError.write("kiqprof: \(message)\n")
    }
}
