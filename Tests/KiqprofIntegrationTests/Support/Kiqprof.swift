import Foundation

/// Runs the built `kiqprof` binary as a user would and captures what it printed.
enum Kiqprof {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        /// stdout parsed as a JSON object.
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
                throw TestSetupError("stdout is not a JSON object: \(stdout.prefix(300))")
            }
            return object
        }
    }

    static var binary: URL {
        // The test bundle sits beside the products of the same build.
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("kiqprof")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Fixtures.packageRoot.appendingPathComponent(".build/debug/kiqprof")
    }

    /// Starts kiqprof without waiting; `finish(_:)` collects its result. The developer's own Redis
    /// settings are kept out of the child's environment.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for name in ["REDIS_URL", "SIDEKIQ_REDIS_URL", "REDIS_NAMESPACE", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "KIQPROF_DB"] {
            env[name] = nil
        }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Waits for a started kiqprof, draining both pipes concurrently so a large output cannot deadlock it.
    static func finish(_ started: (Process, Pipe, Pipe)) -> Result {
        let (process, out, err) = started
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData,
            as: UTF8.self))
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        finish(try start(arguments, environment: environment))
    }
}

/// Paths of the fixtures copied from ../shared/fixtures into Tests/Fixtures.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sidekiq = packageRoot.appendingPathComponent("Tests/Fixtures/sidekiq")

    static func snapshot(_ name: String) -> String { sidekiq.appendingPathComponent("\(name)/snapshot.json").path }

    static func facts(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: sidekiq.appendingPathComponent("\(name)/snapshot.facts.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
