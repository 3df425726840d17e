import Foundation
@testable import KiqprofCore

/// A live Sidekiq 7 state written into a private redis-server, and a store the recorder could have written:
/// the inputs of `kiqprof check`, with exactly one thing wrong per test.
struct CheckScenario {
    let server: RedisServer
    let db: String
    let now = Date().timeIntervalSince1970
    let identity = "web-1:4242:0123456789ab"

    init() throws {
        server = try RedisServer()
        db = server.directory.appendingPathComponent("k.sqlite").path
    }

    /// One live process beating `beatAge` seconds ago, one queue whose oldest job waits `latency` seconds.
    func sidekiq(beatAge: Double = 2, latency: Double = 1, busy: [(jobClass: String, elapsed: Double)] = []) throws {
        let info = #"{"hostname":"web-1","pid":4242,"version":"7.3.9","concurrency":5,"queues":["default"],"started_at":1}"#
        try server.cli("SADD", "processes", identity)
        try server.cli("HSET", identity, "info", info, "busy", String(busy.count), "beat", String(now - beatAge), "quiet", "false",
                       "rss", "204800", "rtt_us", "120")
        for (index, job) in busy.enumerated() {
            let enqueued = now - job.elapsed
            let payload = #"{"class":"\#(job.jobClass)","queue":"default","jid":"j\#(index)","args":[],"enqueued_at":\#(enqueued)}"#
            let work = #"{"queue":"default","payload":\#(String(reflecting: payload)),"run_at":\#(Int(now - job.elapsed))}"#
            try server.cli("HSET", "\(identity):work", "tid\(index)", work)
        }
        try server.cli("SADD", "queues", "default")
        let queued = #"{"class":"MailJob","queue":"default","jid":"q1","args":[],"enqueued_at":\#(now - latency)}"#
        try server.cli("LPUSH", "queue:default", queued)
    }

    /// Ten minutes of host samples every 10 s ending now, with `availablePct` of 8 GiB available at the end,
    /// falling by `fallMBPerMin` a minute; and two set samples an hour apart.
    func store(availablePct: Double = 60, fallMBPerMin: Double = 0, cpuBusy: Double = 20, runs: [JobRun] = [],
               schedules: [PeriodicSchedule] = []) throws {
        let store = try Store(path: db)
        var batch = RecordBatch()
        let totalKiB = 8 * 1024 * 1024
        for step in 0...60 {
            let t = now - 600 + Double(step) * 10
            var sample = HostSample(t: t, host: "web-1", source: .proc)
            let minutesBeforeEnd = (600 - Double(step) * 10) / 60
            let availableKiB = Double(totalKiB) * availablePct / 100 + minutesBeforeEnd * fallMBPerMin * 1024
            sample.memTotalKiB = totalKiB
            sample.memAvailableKiB = Int(availableKiB)
            sample.cpuIdlePct = 100 - cpuBusy
            sample.cpuIowaitPct = 0
            sample.swapTotalKiB = 0
            sample.swapFreeKiB = 0
            sample.psiCPUSomeAvg10 = 1
            sample.psiMemoryFullAvg10 = 0
            batch.hostSamples.append(sample)
        }
        batch.setSamples = [.init(t: now - 3600, retry: 10, schedule: 0, dead: 0, processed: 100, failed: 1),
                            .init(t: now - 2, retry: 12, schedule: 0, dead: 0, processed: 900, failed: 3)]
        batch.runs = runs
        batch.schedules = schedules
        batch.schedulesSeenAt = now
        try store.write(batch)
    }

    func check(_ extra: [String] = []) throws -> Kiqprof.Result {
        try Kiqprof.run(["check", "--redis", server.unixURL, "--db", db] + extra)
    }
}
