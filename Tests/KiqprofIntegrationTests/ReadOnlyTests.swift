import Foundation
import Testing
import KiqprofCore

/// kiqprof never writes to a production Redis: it works as an ACL user that can only read, and the
/// server's own command statistics show it sent no write command.
@Suite("read-only guarantees")
struct ReadOnlyTests {
    @Test("status and census work as an ACL user allowed only read commands")
    func aclReadOnlyUser() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S6"), into: server)
        let acl = try server.cli(
            "ACL", "SETUSER", "kiqprof", "on", ">read-only-pass", "~*", "resetchannels", "-@all", "+@read",
            "+auth", "+select", "+ping", "+info", "+scan", "+sscan", "+zscan", "+hscan")
        #expect(acl.contains("OK"))
        let url = "unix://kiqprof:read-only-pass@\(server.socketPath)?db=0"
        let status = try Kiqprof.run(["status", "--json", "--redis", url, "--now", String(capturedAt)])
        #expect(status.status == 0, "stderr: \(status.stderr)")
        #expect((try status.json()["schedules"] as! [Any]).count == 3)
        let census = try Kiqprof.run(["census", "--json", "--redis", url])
        #expect(census.status == 0, "stderr: \(census.stderr)")
        #expect((try census.json()["total"] as? Int ?? 0) > 0)
        // record and import metrics work under the same user.
        let db = server.directory.appendingPathComponent("acl.sqlite").path
        let record = try Kiqprof.run(["record", "--redis", url, "--db", db, "--duration", "3s", "--interval", "1s"])
        #expect(record.status == 0, "stderr: \(record.stderr)")
        #expect(!record.stderr.contains("NOPERM"), "\(record.stderr)")
        #expect(try Store(path: db).counts()["host_sample", default: 0] >= 2)
        let metrics = try Kiqprof.run(["import", "metrics", "--redis", url, "--db", db, "--json"])
        #expect(metrics.status == 0, "stderr: \(metrics.stderr)")
        // The same user really cannot write: the ACL is what the test claims it is.
        let write = try server.cli("--user", "kiqprof", "--pass", "read-only-pass", "SET", "x", "1")
        #expect(write.contains("NOPERM"))
    }

    @Test("no write command reaches Redis (INFO commandstats before and after)")
    func noWriteCommandIsSent() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S7"), into: server)
        try server.cli("CONFIG", "RESETSTAT")
        for arguments in [["status", "--json"], ["status"], ["census", "--json"], ["census"]] {
            let result = try Kiqprof.run(arguments + ["--redis", server.unixURL, "--now", String(capturedAt)])
            #expect(result.status == 0, "stderr: \(result.stderr)")
        }
        let db = server.directory.appendingPathComponent("stats.sqlite").path
        for arguments in [["record", "--duration", "3s", "--interval", "1s"], ["import", "metrics"]] {
            let result = try Kiqprof.run(arguments + ["--redis", server.unixURL, "--db", db])
            #expect(result.status == 0, "stderr: \(result.stderr)")
        }
        let stats = try server.cli("INFO", "commandstats")
        let used = stats.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            guard line.hasPrefix("cmdstat_") else { return nil }
            return String(line.dropFirst("cmdstat_".count).prefix { $0 != ":" })
        }
        // The observer's own INFO and CONFIG RESETSTAT appear too; everything else must be a read, by Redis's
        // own account of each command (COMMAND INFO's flags), not by kiqprof's allowlist.
        let sent = Set(used).subtracting(["info", "config|resetstat"])
        #expect(sent.count >= 5, "\(sent)")
        for command in sent {
            let info = try server.cli("COMMAND", "INFO", command.replacingOccurrences(of: "|", with: " "))
            #expect(!info.split(whereSeparator: \.isNewline).contains { $0.trimmingCharacters(in: .whitespaces) == "write" },
                    "\(command) is a write command: \(info)")
            #expect(!info.isEmpty && !info.hasPrefix("\n"), "Redis knows \(command)")
        }
        #expect(!sent.contains("keys"))
    }

    @Test("the client refuses write commands before sending them unless writes are allowed")
    func clientGuard() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let readOnly = try RedisConnection(endpoint: try RedisEndpoint(url: server.unixURL))
        #expect(throws: RedisError.writeRefused(command: "SET kiqprof:probe")) {
            try readOnly.send(RedisCommand("SET", "kiqprof:probe", "1"))
        }
        #expect(try readOnly.send(RedisCommand("PING", keyIndex: nil)) == .status("PONG"))
        #expect(try server.cli("EXISTS", "kiqprof:probe").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
