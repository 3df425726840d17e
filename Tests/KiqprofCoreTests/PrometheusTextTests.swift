import Testing
@testable import KiqprofCore

/// The exposition text: escaping, histograms, and the recorder's metrics carrying busy jobs across polls.
@Suite("Prometheus text")
struct PrometheusTextTests {
    @Test("label values and help text are escaped; numbers print as Go parses them")
    func escaping() {
        var out = PrometheusText()
        out.family("kiqprof_x", .gauge, "a \\ help\nline")
        out.sample("kiqprof_x", [("class", "A\"B\\C\nD")], 0.25)
        out.sample("kiqprof_x", [], 3)
        out.sample("kiqprof_x", [], .infinity)
        #expect(out.text == """
            # HELP kiqprof_x a \\\\ help\\nline
            # TYPE kiqprof_x gauge
            kiqprof_x{class="A\\"B\\\\C\\nD"} 0.25
            kiqprof_x 3
            kiqprof_x +Inf

            """)
    }

    @Test("a histogram's buckets are cumulative and end with +Inf, _sum and _count")
    func histogram() {
        var out = PrometheusText()
        out.histogram("d", labels: [("class", "J")], bounds: [1, 10], counts: [2, 3, 1], sum: 42.5)
        #expect(out.text == """
            d_bucket{class="J",le="1"} 2
            d_bucket{class="J",le="10"} 5
            d_bucket{class="J",le="+Inf"} 6
            d_sum{class="J"} 42.5
            d_count{class="J"} 6

            """)
    }

    @Test("busy jobs of processes that did not beat stay listed; runs are counted by outcome and duration")
    func recorderMetrics() throws {
        let metrics = RecorderMetrics(startedAt: 0)
        let payload = Array(#"{"queue":"default","payload":{"class":"SlowJob","jid":"j1","queue":"default"},"run_at":100}"#.utf8)
        let job = try BusyJob.decode(identity: "h:1:a", tid: "t1", value: payload)
        var process = SidekiqProcess(identity: "h:1:a", state: .live)
        process.beat = 150
        var status = SidekiqStatus(now: 160, processed: 5, failed: 0, processedToday: nil, failedToday: nil, retrySize: 0,
                                   scheduleSize: 0, deadSize: 0, queues: [QueueSummary(name: "default", size: 0, latency: 0)],
                                   processes: [process], busy: [job], schedules: [], warnings: [])
        let host = HostSample(t: 160, host: "h", source: .proc)
        metrics.poll(at: 160, host: host, status: status, processes: [])
        status.busy = []
        status.changedIdentities = []
        metrics.poll(at: 161, host: host, status: status, processes: [])
        var run = JobRun(jid: "j0", jobClass: "SlowJob", queue: "default", identity: "h:1:a", host: "h", pid: 1, tid: "t0",
                         start: 0, end: .exact(7), outcome: .ok, source: .poll)
        metrics.record(runs: [run])
        run.outcome = .lost
        run.end = .openSince(3)
        metrics.record(runs: [run])
        let text = MetricsRenderer.render(metrics.snapshot(), suspects: [.init(jobClass: "SlowJob", score: 12.5)], now: 161)
        #expect(text.contains(#"kiqprof_busy_job_max_age_seconds{class="SlowJob"} 61"#))
        #expect(text.contains(#"sidekiq_queue_max_processing_time_seconds{name="default"} 61"#))
        #expect(text.contains(#"kiqprof_job_runs_total{class="SlowJob",outcome="lost"} 1"#))
        #expect(text.contains(#"kiqprof_job_duration_seconds_bucket{class="SlowJob",le="5"} 0"#))
        #expect(text.contains(#"kiqprof_job_duration_seconds_bucket{class="SlowJob",le="10"} 1"#))
        #expect(text.contains(#"kiqprof_job_duration_seconds_count{class="SlowJob"} 1"#))
        #expect(text.contains(#"kiqprof_suspect_score{class="SlowJob"} 12.5"#))
        #expect(text.contains("sidekiq_processed_jobs_total 5\n"))
    }
}
