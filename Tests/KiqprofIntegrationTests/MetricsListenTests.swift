import Foundation
import Testing

/// `record --listen`: a real Prometheus scrapes it and its HTTP API returns kiqprof's series; the body passes
/// `promtool check metrics`; anything but loopback is refused without --listen-public.
@Suite("record --listen", .serialized)
struct MetricsListenTests {
    @Test("a real Prometheus scrapes record --listen, and a query returns Sidekiq's and kiqprof's series")
    func prometheusScrapes() throws {
        let scenario = try CheckScenario()
        defer { scenario.server.stop() }
        try scenario.sidekiq(latency: 30, busy: [("ExportJob", 40)])
        let port = try RedisServer.freePort()
        let recording = try Kiqprof.start(["record", "--redis", scenario.server.unixURL, "--db", scenario.db, "--interval", "500ms",
                                           "--flush", "1s", "--duration", "60s", "--listen", "127.0.0.1:\(port)"])
        defer {
            kill(recording.0.processIdentifier, SIGINT)
            _ = Kiqprof.finish(recording)
        }
        let prometheus = try PrometheusServer(target: "127.0.0.1:\(port)", directory: scenario.server.directory)
        defer { prometheus.stop() }

        let processes = prometheus.waitForSeries("sidekiq_processes")
        #expect(processes.first.flatMap { ($0["value"] as? [Any])?.last as? String } == "1", "\(processes)\n\(prometheus.log.suffix(800))")
        let latency = prometheus.waitForSeries(#"sidekiq_queue_latency_seconds{name="default"}"#)
        let seconds = latency.first.flatMap { ($0["value"] as? [Any])?.last as? String }.flatMap(Double.init) ?? -1
        #expect((29...60).contains(seconds), "\(latency)")
        #expect(!prometheus.waitForSeries("kiqprof_host_memory_available_bytes").isEmpty)
        let busy = prometheus.waitForSeries(#"kiqprof_busy_job_max_age_seconds{class="ExportJob"}"#)
        #expect(busy.first?["metric"] as? [String: String] != nil && (busy.first!["metric"] as! [String: String])["job"] == "kiqprof")
        #expect(!prometheus.waitForSeries(#"up{job="kiqprof"} == 1"#).isEmpty)

        // The same body, read directly: valid for promtool, and quick.
        let response = try #require(HTTP.get("http://127.0.0.1:\(port)/metrics"))
        #expect(response.status == 200)
        let lint = try Promtool.run(["check", "metrics"], input: String(decoding: response.body, as: UTF8.self))
        #expect(lint.status == 0, "\(lint.output)")
        #expect(HTTP.get("http://127.0.0.1:\(port)/")?.status == 404)
    }

    @Test("--listen refuses a non-loopback address without --listen-public, and a malformed one")
    func loopbackOnly() throws {
        let refused = try Kiqprof.run(["record", "--listen", "0.0.0.0:9127", "--db", "/nonexistent/k.sqlite"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("not a loopback address") && refused.stderr.contains("--listen-public"), "\(refused.stderr)")
        let malformed = try Kiqprof.run(["record", "--listen", "9127", "--db", "/nonexistent/k.sqlite"])
        #expect(malformed.status == 64 && malformed.stderr.contains("expected host:port"), "\(malformed.stderr)")
    }
}
