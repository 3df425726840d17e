import Foundation
import Testing

/// `kiqprof census` must count exactly what the snapshot holds, per class and location.
@Suite("census on real Sidekiq snapshots")
struct CensusFixtureTests {
    @Test("per-class counts, payload bytes and error classes match the snapshot", arguments: StatusFixtureTests.fixtures)
    func censusMatchesSnapshot(fixture: String) throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot(fixture), into: server)
        let facts = try Fixtures.facts(fixture)
        let namespace = facts["namespace_prefix"] as? String ?? ""

        // The expectation, computed independently with Foundation's JSON parser from the snapshot file.
        let snapshotData = try Data(contentsOf: URL(fileURLWithPath: Fixtures.snapshot(fixture)))
        let snapshot = try JSONSerialization.jsonObject(with: snapshotData) as! [String: Any]
        var expected: [String: [String: Int]] = [:]
        var bytes: [String: Int] = [:]
        var errors: [String: [String: Int]] = [:]
        func count(_ payload: String, _ location: String) throws {
            let job = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as! [String: Any]
            let name = (job["wrapped"] as? String) ?? (job["class"] as! String)
            expected[name, default: [:]][location, default: 0] += 1
            bytes[name, default: 0] += payload.utf8.count
            if let error = job["error_class"] as? String, location == "retry" || location == "dead" {
                errors[name, default: [:]][error, default: 0] += 1
            }
        }
        for entry in snapshot["keys"] as! [[String: Any]] {
            let key = String((entry["key"] as! String).dropFirst(namespace.count))
            guard (entry["key"] as! String).hasPrefix(namespace) else { continue }
            if entry["type"] as? String == "list", key.hasPrefix("queue:") {
                for item in entry["items"] as! [String] { try count(item, key) }
            } else if entry["type"] as? String == "zset", ["retry", "schedule", "dead"].contains(key) {
                for pair in entry["entries"] as! [[Any]] { try count(pair[0] as! String, key) }
            }
        }

        var arguments = ["census", "--json", "--redis", server.unixURL, "--now", String(capturedAt)]
        if !namespace.isEmpty { arguments += ["--namespace", String(namespace.dropLast())] }
        let result = try Kiqprof.run(arguments)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try result.json()
        let classes = json["classes"] as! [[String: Any]]
        #expect(Set(classes.map { $0["class"] as! String }) == Set(expected.keys))
        for summary in classes {
            let name = summary["class"] as! String
            #expect(summary["by_location"] as? [String: Int] == expected[name], "\(name)")
            #expect(summary["total"] as? Int == expected[name]!.values.reduce(0, +))
            #expect(summary["payload_bytes_total"] as? Int == bytes[name])
            #expect(summary["error_classes"] as? [String: Int] == (errors[name] ?? [:]), "\(name)")
            #expect(summary["oldest_enqueued_at"] is String)
        }
        #expect(json["unparseable_count"] as? Int == 0)
        #expect(json["total"] as? Int == expected.values.flatMap(\.values).reduce(0, +))
        let text = try Kiqprof.run(Array(arguments.filter { $0 != "--json" }))
        #expect(text.stdout.contains("jobs in \(expected.count) classes"))
    }
}
