import Foundation
import KiqprofCore

/// A real `sidekiq` process (Debian's ruby-sidekiq 6.4.1) running samples/e2e-app against a test Redis.
/// A missing sidekiq is a test failure, never a silent skip (`make test` installs it).
final class RealSidekiq {
    let process = Process()
    let logPath: String

    /// - Parameter cgroup: a memory cgroup to start the process in (it joins before exec'ing sidekiq).
    init(redis: RedisServer, concurrency: Int, name: String, app: URL = RealSidekiq.appDirectory, queues: [String] = ["default"],
         environment extra: [String: String] = [:], cgroup: MemoryCgroup? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sidekiq") else {
            throw TestSetupError("sidekiq is not installed: run `make test`, which installs Debian's ruby-sidekiq")
        }
        logPath = redis.directory.appendingPathComponent("\(name).log").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw TestSetupError("cannot create \(logPath)") }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let arguments = ["-c", String(concurrency), "-t", "3"] + queues.flatMap { ["-q", $0] } + ["-r", "./app.rb"]
        if let cgroup {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", #"echo $$ > "$0" && exec /usr/bin/sidekiq "$@""#, cgroup.procsPath] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sidekiq")
            process.arguments = arguments
        }
        process.currentDirectoryURL = app
        var environment = ProcessInfo.processInfo.environment
        environment["KIQ_REDIS_SOCK"] = redis.socketPath
        environment["RUBYOPT"] = "-W0"
        process.environment = environment.merging(extra) { $1 }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    static let appDirectory = Fixtures.packageRoot.appendingPathComponent("samples/e2e-app")
    /// The Trends-style reproduction: a periodic CPU+memory hog and a periodic sleeper under sidekiq-cron.
    static let reproductionDirectory = Fixtures.packageRoot.appendingPathComponent("samples/reproduce")

    /// Runs samples/e2e-app/push.rb and returns class → jid of the long jobs it pushed.
    static func pushJobs(redis: RedisServer) throws -> [String: String] {
        let push = Process()
        push.executableURL = URL(fileURLWithPath: "/usr/bin/ruby")
        push.arguments = ["-W0", "push.rb"]
        push.currentDirectoryURL = appDirectory
        push.environment = ProcessInfo.processInfo.environment.merging(["KIQ_REDIS_SOCK": redis.socketPath]) { $1 }
        let out = Pipe()
        push.standardOutput = out
        push.standardError = FileHandle.nullDevice
        try push.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        push.waitUntilExit()
        var jids: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { jids[String(parts[0])] = String(parts[1]) }
        }
        return jids
    }

    /// Starts a Ruby script of an app directory against the test Redis (e.g. a job pusher); the caller stops it.
    static func runScript(_ script: String, in directory: URL, redis: RedisServer,
        environment extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ruby")
        process.arguments = ["-W0", script]
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(extra.merging(["KIQ_REDIS_SOCK": redis.socketPath]) { $1 }) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `count` processes are in Redis's `processes` set; false after `seconds`.
    static func waitForProcesses(_ count: Int, redis: RedisServer, within seconds: Double = 30) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while try redis.cli("SCARD", "processes").trimmingCharacters(in: .whitespacesAndNewlines) != String(count) {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return true
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(8)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    /// The job lines of Sidekiq 6.x's text log: jid → (start, end, outcome "done"/"fail").
    func loggedRuns() throws -> [String: (start: Double, end: Double?, outcome: String?)] {
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        var runs: [String: (start: Double, end: Double?, outcome: String?)] = [:]
        let pattern = /^(\S+Z) pid=\d+ tid=\S+ class=\S+ jid=(\S+)(?: elapsed=\S+)? INFO: (start|done|fail)$/
        for line in text.split(separator: "\n") {
            guard let match = try pattern.wholeMatch(in: line),
                let time = TimeExpression.parseISO(String(match.1))
            else { continue }
            let jid = String(match.2)
            switch match.3 {
            case "start": runs[jid] = (time, nil, nil)
            default: runs[jid]?.end = time; runs[jid]?.outcome = String(match.3)
            }
        }
        return runs
    }
}
