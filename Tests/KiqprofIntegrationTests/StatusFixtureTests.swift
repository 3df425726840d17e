import Foundation
import Testing

/// `kiqprof status --json` on each real fixture must report exactly the facts listed in its README.
@Suite("status on real Sidekiq snapshots")
struct StatusFixtureTests {
    /// S1–S7 come from ../shared/fixtures; N1 is Debian's Sidekiq 6.4.1 under redis-namespace `mastodon`
    /// with sidekiq-cron 1.8.0, made by samples/fixtures/make_namespaced_fixture.sh.
    static let fixtures = ["S1", "S2", "S4", "S5", "S6", "S7", "N1"]

    @Test("status --json reports the fixture's facts", arguments: fixtures)
    func statusMatchesFacts(fixture: String) throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot(fixture), into: server)
        let facts = try Fixtures.facts(fixture)
        let namespace = facts["namespace_prefix"] as? String ?? ""
        var arguments = ["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt)]
        if !namespace.isEmpty { arguments += ["--namespace", String(namespace.dropLast())] }
        let result = try Kiqprof.run(arguments)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let status = try result.json()

        // Processes: identity, pid, hostname, concurrency, version and the heartbeat scalars.
        let identities = facts["processes"] as! [String]
        let processes = status["processes"] as! [[String: Any]]
        #expect(processes.map { $0["identity"] as! String } == identities)
        var expectedBusy: [String: [String: Any]] = [:]
        for process in processes {
            let identity = process["identity"] as! String
            let info = facts["process[\(identity)].info"] as! [String: Any]
            let scalars = facts["process[\(identity)].scalar_fields"] as! [String: String]
            #expect(process["state"] as? String == "live")
            #expect(process["pid"] as? Int == info["pid"] as? Int)
            #expect(process["hostname"] as? String == info["hostname"] as? String)
            #expect(process["concurrency"] as? Int == info["concurrency"] as? Int)
            #expect(process["version"] as? String == info["version"] as? String)
            #expect(process["tag"] as? String == info["tag"] as? String)
            #expect(process["queues"] as? [String] == info["queues"] as? [String])
            #expect(process["busy"] as? Int == Int(scalars["busy"]!))
            #expect(process["rss_kib"] as? Int == Int(scalars["rss"]!))
            #expect(process["rtt_us"] as? Int == Int(scalars["rtt_us"]!))
            #expect(process["quiet"] as? Bool == (scalars["quiet"] == "true"))
            let beatAge = capturedAt - Double(scalars["beat"]!)!
            #expect(abs((process["beat_age_s"] as! Double) - max(0, beatAge)) < 0.002)
            #expect(process["stale"] as? Bool == false, "a fresh snapshot's process is not stale")
            let workKey = facts["process[\(identity)].work_key"] as! String
            #expect(process["work_key"] as? String == (workKey.hasSuffix(":workers") ? "workers" : "work"))
            for job in facts["process[\(identity)].busy_jobs"] as! [[String: Any]] {
                expectedBusy[job["jid"] as! String] = job.merging(["identity": identity]) { a, _ in a }
            }
        }

        // Busy jobs: every jid with its class, queue, tid and run_at; sorted longest-running first.
        let busy = status["busy"] as! [[String: Any]]
        #expect(busy.count == expectedBusy.count)
        for job in busy {
            let jid = job["jid"] as! String
            let expected = try #require(expectedBusy[jid], "unexpected busy jid \(jid)")
            #expect(job["class"] as? String == expected["class"] as? String)
            #expect(job["queue"] as? String == expected["queue"] as? String)
            #expect(job["tid"] as? String == expected["tid"] as? String)
            #expect(job["identity"] as? String == expected["identity"] as? String)
            #expect(job["run_at"] as? String == expected["run_at_iso"] as? String)
            let elapsed = capturedAt - (expected["run_at"] as! Double)
            #expect(abs((job["elapsed_s"] as! Double) - elapsed) < 0.002)
        }
        let elapsedOrder = busy.map { $0["elapsed_s"] as! Double }
        #expect(elapsedOrder == elapsedOrder.sorted(by: >))

        // Queues, the three sets and the lifetime counters.
        let lengths = facts["queue_lengths"] as! [String: Int]
        let queues = status["queues"] as! [[String: Any]]
        #expect(Dictionary(uniqueKeysWithValues: queues.map { ($0["name"] as! String, $0["size"] as! Int) }) == lengths)
        for queue in queues {
            if let next = facts["queue[\(queue["name"] as! String)].next_jid (last item)"] as? String {
                #expect(queue["oldest_jid"] as? String == next)
                #expect((queue["latency_s"] as? Double ?? -1) >= 0)
            }
        }
        let sets = status["sets"] as! [String: Int]
        #expect(sets["retry"] == facts["retry_count"] as? Int)
        #expect(sets["schedule"] == facts["schedule_count"] as? Int)
        #expect(sets["dead"] == facts["dead_count"] as? Int)
        let stats = status["stats"] as! [String: Any]
        let statKeys = facts["stat_keys"] as! [String: String]
        #expect(stats["processed"] as? Int == Int(statKeys[namespace + "stat:processed"]!))
        #expect(stats["failed"] as? Int == Int(statKeys[namespace + "stat:failed"]!))
        let versions = status["versions"] as! [String]
        #expect(versions.count == 1)

        // Periodic schedules and whether each is enabled.
        let schedules = (status["schedules"] as! [[String: Any]]).map { ($0["name"] as! String, $0) }
        let byName = Dictionary(uniqueKeysWithValues: schedules)
        if let configs = facts["schedules.fields"] as? [String: String] {
            let states = facts["sidekiq-scheduler:states.fields"] as? [String: String] ?? [:]
            #expect(Set(byName.keys) == Set(configs.keys))
            for (name, _) in configs {
                let schedule = byName[name]!
                #expect(schedule["source"] as? String == "sidekiq-scheduler")
                #expect(schedule["enabled"] as? Bool == !(states[name]?.contains("false") ?? false))
                let last = (facts["sidekiq-scheduler:last_times.fields"] as! [String: String])[name]!
                let shown = (schedule["last_run"] as? String).map { String($0.prefix(19)) }
                #expect(shown == String(last.prefix(19)).replacingOccurrences(of: " ", with: "T"))
            }
        } else if let members = facts[namespace + "cron_jobs.members"] as? [String] {
            #expect(byName.count == members.count)
            for member in members {
                let fields = facts["\(namespace)\(member).status/cron/klass/last_enqueue_time"] as! [String: Any?]
                let name = String(member.dropFirst("cron_job:".count))
                let schedule = try #require(byName[name])
                #expect(schedule["source"] as? String == "sidekiq-cron")
                #expect(schedule["enabled"] as? Bool == (fields["status"] as? String == "enabled"))
                #expect(schedule["cron"] as? String == fields["cron"] as? String)
                #expect(schedule["class"] as? String == fields["klass"] as? String)
            }
        } else {
            #expect(byName.isEmpty)
        }
        #expect((status["warnings"] as! [String]).isEmpty)
    }

    @Test("without its namespace a namespaced Redis shows no Sidekiq, and says so")
    func namespaceIsRequired() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("N1"), into: server)
        let bare = try Kiqprof.run(["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt)]).json()
        #expect((bare["processes"] as! [Any]).isEmpty)
        let viaEnvironment = try Kiqprof.run(
            ["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt)],
                environment: ["REDIS_NAMESPACE": "mastodon"]).json()
        #expect((viaEnvironment["processes"] as! [Any]).count == 1)
        #expect((viaEnvironment["busy"] as! [Any]).count == 3)
        let text = try Kiqprof.run(["status", "--redis", server.unixURL, "--now", String(capturedAt)])
        #expect(text.stdout.contains("--namespace"))
    }

    @Test("a process whose hash expired is shown as gone and stale")
    func goneProcess() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S4"), into: server)
        try server.cli("SADD", "processes", "deadhost:4242:0123456789ab")
        let status = try Kiqprof.run(["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt)]).json()
        let gone = (status["processes"] as! [[String: Any]]).first { $0["identity"] as? String == "deadhost:4242:0123456789ab" }
        #expect(gone?["state"] as? String == "gone")
        #expect(gone?["stale"] as? Bool == true)
        #expect(gone?["hostname"] as? String == "deadhost")
        #expect(gone?["pid"] as? Int == 4242)
        let text = try Kiqprof.run(["status", "--redis", server.unixURL, "--now", String(capturedAt)])
        #expect(text.stdout.contains("GONE"))
    }

    @Test("a heartbeat older than three beats is stale (30 s on 7.x)")
    func staleHeartbeat() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let capturedAt = try SnapshotLoader.load(Fixtures.snapshot("S4"), into: server)
        let fresh = try Kiqprof.run(["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt + 29)]).json()
        let late = try Kiqprof.run(["status", "--json", "--redis", server.unixURL, "--now", String(capturedAt + 31)]).json()
        #expect((fresh["processes"] as! [[String: Any]])[0]["stale"] as? Bool == false)
        #expect((late["processes"] as! [[String: Any]])[0]["stale"] as? Bool == true)
    }
}
