import Foundation
import Testing

/// A private redis-server for one test: a UNIX socket in a temp dir (or a free TCP port), stopped on `stop()`.
/// A missing redis-server is a test failure, never a silent skip (`make test` installs it).
final class RedisServer: @unchecked Sendable {
    // @unchecked: the fields are set once in init and only read afterwards.
    let directory: URL
    let socketPath: String
    let port: Int?
    private var process: Process
    private let binary: String
    private let arguments: [String]

    init(tcp: Bool = false, extraArguments: [String] = []) throws {
        guard let binary = RedisServer.findBinary() else {
            throw TestSetupError("redis-server is not installed: run `make test`, which installs it with apt-get")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("redis.sock").path
        port = tcp ? try RedisServer.freePort() : nil
        self.binary = binary
        arguments = [
            "--port", String(port ?? 0), "--bind", "127.0.0.1", "--unixsocket", socketPath, "--unixsocketperm", "700",
            "--save", "", "--appendonly", "no", "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path,
        ] + extraArguments
        process = Process()
        try launch()
    }

    /// Starts redis-server and waits for its socket.
    private func launch() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard Date() < deadline, process.isRunning else {
                let log = (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
                throw TestSetupError("redis-server did not start: \(log.suffix(500))")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    var unixURL: String { "unix://\(socketPath)?db=0" }
    var tcpURL: String { "redis://127.0.0.1:\(port ?? 0)/0" }

    /// redis-cli against this server, for set-up and observation in tests.
    @discardableResult
    func cli(_ arguments: String...) throws -> String { try cli(arguments) }

    @discardableResult
    func cli(_ arguments: [String]) throws -> String {
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        run.arguments = ["-s", socketPath] + arguments
        let pipe = Pipe()
        run.standardOutput = pipe
        try run.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Kills the server (as a crash would) and keeps its directory, so `restart()` can bring it back empty.
    func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    /// Freezes the server (SIGSTOP): connections stay open and nothing answers, as on a host that swaps.
    func freeze() { Glibc.kill(process.processIdentifier, SIGSTOP) }

    func thaw() { Glibc.kill(process.processIdentifier, SIGCONT) }

    func restart() throws {
        kill()
        try launch()
    }

    func stop() {
        if process.isRunning {
            // SIGKILL: a child of the test runner may inherit a blocked SIGTERM, and there is nothing to save.
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    static func findBinary() -> String? {
        for path in ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }

    /// Asks the kernel for a free loopback port.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestSetupError("no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
