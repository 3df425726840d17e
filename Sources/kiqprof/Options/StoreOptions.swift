import ArgumentParser
import Foundation
import KiqprofCore

/// `--db`, shared by every command that reads or writes the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The kiqprof store (SQLite). Default: $KIQPROF_DB, else $XDG_DATA_HOME/kiqprof/kiqprof.sqlite (~/.local/share/…).",
        valueName: "path"))
    var db: String?

    var path: String { db ?? Store.defaultPath(environment: ProcessInfo.processInfo.environment) }

    func open(busyTimeout: Double = 5) throws -> Store { try Store(path: path, busyTimeout: busyTimeout) }

    /// Opens a store that must already exist: commands that only read it should not create an empty one at a
    /// mistyped path.
    func openExisting() throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else {
            throw KiqprofError.invalidArgument(
                "store \(path) does not exist: record with `kiqprof record` or import a log first, or pass --db")
        }
        return try open()
    }
}
