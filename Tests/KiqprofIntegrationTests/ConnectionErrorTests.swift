import Foundation
import Testing

/// Bad connections and bad data give one line that names what failed, never a crash or a password.
@Suite("connection errors and bad data")
struct ConnectionErrorTests {
    /// One line on stderr, exit 1, nothing on stdout, and the secret nowhere.
    func expectOneLineFailure(_ result: Kiqprof.Result, mentions: String, secret: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "exit status", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(mentions), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        if let secret { #expect(!result.stderr.contains(secret), sourceLocation: sourceLocation) }
    }

    /// Every malformed form a URL can take, on the command line, in the environment and in an env file: the
    /// password appears nowhere in what kiqprof prints (stdout, stderr, JSON).
    @Test func noMalformedURLShowsItsPassword() throws {
        let secret = "Pw5ecret"
        let port = try RedisServer.freePort()
        let forms = [
            ":\(secret)@127.0.0.1:\(port)", "default:\(secret)@127.0.0.1:\(port)/0", "\(secret)@127.0.0.1",
            "redis://:\(secret)@[::1:\(port)/0", "redis://[::1]:\(port)/0?password=\(secret)",
            "redis://[::1?password=\(secret)", "redis://:pa/\(secret)@127.0.0.1:\(port)/0", "redis://:pa?\(secret)@127.0.0.1:\(port)",
            "redis://:pa#\(secret)@127.0.0.1:\(port)", "redis://user:\(secret)@127.0.0.1:notaport/0",
            "redis://:\(secret)@127.0.0.1:\(port)/x", "redis://:\(secret)@127.0.0.1:\(port)/0?db=-1",
            "redis://127.0.0.1:\(port)/0?db=zz&password=\(secret)", "ftp://:\(secret)@host", "rediss://:\(secret)@host:6380",
            "redis://:\(secret)@127.0.0.1:\(port)/0",
        ]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let envFile = directory.appendingPathComponent(".env.production").path
        for form in forms {
            var results = [
                ("--redis", try Kiqprof.run(["status", "--json", "--redis", form, "--timeout", "1"])),
                ("REDIS_URL", try Kiqprof.run(["status", "--json", "--timeout", "1"], environment: ["REDIS_URL": form])),
            ]
            try "REDIS_URL=\(form)\nREDIS_PASSWORD=\(secret)\n".write(toFile: envFile, atomically: true, encoding: .utf8)
            results.append(("--env-file", try Kiqprof.run(["census", "--json", "--env-file", envFile, "--timeout", "1"])))
            for (how, result) in results {
                #expect(result.status != 0, "\(how) \(form)")
                #expect(!(result.stdout + result.stderr).contains(secret), "\(how) \(form): \(result.stdout)\(result.stderr)")
            }
        }
    }

    @Test func tlsURLIsRefusedWithATunnelHint() throws {
        let result = try Kiqprof.run(["status", "--redis", "rediss://admin:Tls-S3cret@redis.example:6380/0"])
        expectOneLineFailure(result, mentions: "tunnel", secret: "Tls-S3cret")
    }

    @Test func refusedConnectionNamesTheEndpoint() throws {
        let port = try RedisServer.freePort()
        let result = try Kiqprof.run(["status", "--redis", "redis://:NoSuchPass@127.0.0.1:\(port)/0"])
        expectOneLineFailure(result, mentions: "cannot connect to Redis at redis://***@127.0.0.1:\(port)/0", secret: "NoSuchPass")
        let socket = try Kiqprof.run(["census", "--redis", "unix:///nonexistent/redis.sock"])
        expectOneLineFailure(socket, mentions: "/nonexistent/redis.sock")
    }

    @Test func wrongPasswordIsOneLineWithoutThePassword() throws {
        let server = try RedisServer(extraArguments: ["--requirepass", "right-horse-battery"])
        defer { server.stop() }
        let url = "unix://:Wr0ngPassw0rd@\(server.socketPath)?db=0"
        let result = try Kiqprof.run(["status", "--redis", url])
        expectOneLineFailure(result, mentions: "refused authentication", secret: "Wr0ngPassw0rd")
        let fromEnvironment = try Kiqprof.run(["census"], environment: ["REDIS_URL": url])
        expectOneLineFailure(fromEnvironment, mentions: "refused authentication", secret: "Wr0ngPassw0rd")
    }

    @Test func wrongTypeKeysAreCountedWarningsNotFailures() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S4"), into: server)
        try server.cli("DEL", "retry")
        try server.cli("SET", "retry", "not a zset")
        try server.cli("DEL", "schedules")
        try server.cli("RPUSH", "schedules", "not a hash")
        let status = try Kiqprof.run(["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt)])
        #expect(status.status == 0, "stderr: \(status.stderr)")
        let warnings = try status.json()["warnings"] as! [String]
        #expect(warnings.contains { $0.hasPrefix("retry: WRONGTYPE") })
        #expect(warnings.contains { $0.hasPrefix("schedules: WRONGTYPE") })
        let census = try Kiqprof.run(["census", "--json", "--redis", server.unixURL])
        #expect(census.status == 0)
        let censusWarnings = try census.json()["warnings"] as! [String]
        #expect(censusWarnings.contains { $0.hasPrefix("retry: WRONGTYPE") })
        let text = try Kiqprof.run(["census", "--redis", server.unixURL])
        #expect(text.stdout.contains("warning: retry: WRONGTYPE"))
    }

    @Test func invalidPayloadsAreCountedWithKeyAndIndex() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S5"), into: server)
        // queue:default has 10 jobs; put broken ones at the head (index 0, 1) and one in dead.
        try server.cli("LPUSH", "queue:default", "{\"class\":\"Trunc", "[1,2,3]")
        try server.cli("ZADD", "dead", "1795714300", "{\"retry\":0,\"jid\":\"x\"}")
        // An in-progress entry whose payload is garbage: status warns, names the key and tid.
        let identity = (try Fixtures.facts("S5")["processes"] as! [String])[0]
        try server.cli("HSET", "\(identity):work", "zzz", "{\"queue\":\"default\",\"payload\":\"{oops\",\"run_at\":1795714300}")

        let census = try Kiqprof.run(["census", "--json", "--redis", server.unixURL])
        #expect(census.status == 0, "stderr: \(census.stderr)")
        let json = try census.json()
        #expect(json["unparseable_count"] as? Int == 3)
        let items = (json["unparseable"] as! [[String: Any]]).map { "\($0["key"]!)#\($0["index"]!)" }
        #expect(Set(items) == ["queue:default#0", "queue:default#1", "dead#0"])
        let reasons = (json["unparseable"] as! [[String: Any]]).map { $0["reason"] as! String }
        #expect(reasons.contains { $0.contains("invalid JSON at byte") })
        #expect(reasons.contains { $0.contains("not a Sidekiq job") })

        let status = try Kiqprof.run(["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt)])
        #expect(status.status == 0)
        let warnings = try status.json()["warnings"] as! [String]
        #expect(warnings.contains { $0.hasPrefix("\(identity):work field 'zzz': invalid JSON at byte") })
    }

    @Test func statusOverTCP() throws {
        let server = try RedisServer(tcp: true)
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S2"), into: server)
        let result = try Kiqprof.run(["status", "--json", "--redis", server.tcpURL, "--now", String(capturedAt)])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect((try result.json()["busy"] as! [Any]).count == 5)
    }

    @Test func envFileOfMastodonIsUsed() throws {
        let server = try RedisServer(tcp: true, extraArguments: ["--requirepass", "env-file-secret"])
        defer { server.stop() }
        let file = server.directory.appendingPathComponent(".env.production")
        try """
            # Mastodon .env.production
            LOCAL_DOMAIN=example.social
            REDIS_HOST=127.0.0.1
            REDIS_PORT=\(server.port!)
            REDIS_PASSWORD="env-file-secret"
            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try Kiqprof.run(["status", "--env-file", file.path, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("env-file-secret") && !result.stderr.contains("env-file-secret"))
    }
}
