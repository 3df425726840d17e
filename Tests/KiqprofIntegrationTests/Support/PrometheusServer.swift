import Foundation

/// A real Prometheus (Debian's `prometheus` package) on loopback, scraping one target every second, with its
/// data in a temp dir; stopped on `stop()`. Missing is a test failure, never a skip (`make test` installs it).
final class PrometheusServer: @unchecked Sendable {
    // @unchecked: set once in init, only read afterwards.
    let directory: URL
    let port: Int
    private let process: Process

    init(target: String, directory: URL) throws {
        let binary = "/usr/bin/prometheus"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSetupError("prometheus is not installed: run `make test`, which installs Debian's prometheus package")
        }
        self.directory = directory
        port = try RedisServer.freePort()
        let config = directory.appendingPathComponent("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: kiqprof
                static_configs:
                  - targets: ['\(target)']
            """.write(to: config, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        let log = directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// `GET /api/v1/query?query=...`: the result vector, or nil while Prometheus is not up yet.
    func query(_ expression: String) -> [[String: Any]]? {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: expression)]
        guard let data = HTTP.get(components.url!.absoluteString)?.body,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["status"] as? String == "success",
              let result = (object["data"] as? [String: Any])?["result"] as? [[String: Any]]
        else { return nil }
        return result
    }

    /// Polls `query` until it returns at least one series, up to `timeout` seconds.
    func waitForSeries(_ expression: String, timeout: Double = 30) -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let result = query(expression), !result.isEmpty { return result }
            Thread.sleep(forTimeInterval: 0.25)
        }
        return []
    }

    var log: String { (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// A blocking HTTP/1.0 GET over a loopback socket (FoundationNetworking would pull libcurl into the tests).
enum HTTP {
    struct Response {
        let status: Int
        let body: Data
        let seconds: Double
    }

    /// `url` is `http://127.0.0.1:PORT/path`; nil when nothing answers.
    static func get(_ url: String, timeout: Int = 5) -> Response? {
        guard let components = URLComponents(string: url), let port = components.port else { return nil }
        let started = Date()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        let path = components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        let request = Array("GET \(path.isEmpty ? "/" : path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var reply = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            reply.append(contentsOf: buffer[0..<count])
        }
        guard let split = reply.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: reply[..<split.lowerBound], as: UTF8.self)
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Response(status: status, body: Data(reply[split.upperBound...]), seconds: Date().timeIntervalSince(started))
    }
}
