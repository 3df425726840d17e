import Foundation

/// One Sidekiq 7.3 process as Redis sees it, written by a thread: a heartbeat every `beat` seconds that lists
/// the jobs its threads run, each job running `jobSeconds`. It keeps the truth the recorder must match: every
/// job a heartbeat listed, with its start. Writes that fail (Redis down) are retried at the next beat, as
/// Sidekiq's launcher does.
final class FakeSidekiq: @unchecked Sendable {
    // @unchecked: the mutable state is behind `lock`.
    struct Job: Equatable {
        let jid: String
        let tid: String
        let start: Int
        let end: Double
    }

    let identity: String
    private let threads: [String]
    private let beat: Double
    private let jobSeconds: Double
    private let lock = NSLock()
    private var target: RedisServer
    private var running: [String: Job] = [:]
    /// Every job a heartbeat listed, and when that heartbeat first landed.
    private var listed: [String: (job: Job, at: Double)] = [:]
    private var stopped = false
    private var counter = 0
    private let done = DispatchSemaphore(value: 0)

    init(target: RedisServer, identity: String = "faulthost:4242:0a1b2c3d4e5f", threads: Int = 3, beat: Double = 2,
         jobSeconds: Double = 7) {
        self.target = target
        self.identity = identity
        self.threads = (0..<threads).map { "t\($0)" }
        self.beat = beat
        self.jobSeconds = jobSeconds
    }

    /// The Redis the process writes to from its next beat on (a failover to a promoted replica).
    func write(to server: RedisServer) { lock.withLock { target = server } }

    func start() {
        Thread {
            while !self.lock.withLock({ self.stopped }) {
                self.heartbeat()
                Thread.sleep(forTimeInterval: self.beat)
            }
            self.done.signal()
        }.start()
    }

    /// Stops beating; returns every job a successful heartbeat listed, and when it was first listed.
    func stop() -> [(job: Job, listedAt: Double)] {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { listed.values.sorted { ($0.job.start, $0.job.tid) < ($1.job.start, $1.job.tid) } }
            .map { (job: $0.job, listedAt: $0.at) }
    }

    private func heartbeat() {
        let now = Date().timeIntervalSince1970
        let (server, jobs) = lock.withLock { () -> (RedisServer, [Job]) in
            // Each thread finishes its job when due and takes the next one at once (staggered starts).
            for (index, tid) in threads.enumerated() where running[tid].map({ $0.end <= now }) ?? true {
                counter += 1
                let length = jobSeconds + Double(index)
                running[tid] = Job(jid: String(format: "%024x", 0xfa017 * 1000 + counter), tid: tid, start: Int(now),
                                   end: Double(Int(now)) + length)
            }
            return (target, running.values.sorted { $0.tid < $1.tid })
        }
        let info = #"{"hostname":"faulthost","started_at":\#(now - 60),"pid":4242,"tag":"fault","concurrency":\#(threads.count),"#
            + #""queues":["default"],"weights":[{"default":0}],"labels":[],"identity":"\#(identity)","version":"7.3.10","embedded":false}"#
        var work: [String] = []
        for job in jobs {
            let payload = #"{"retry":true,"queue":"default","args":[],"class":"FaultJob","jid":"\#(job.jid)","created_at":\#(job.start),"#
                + #""enqueued_at":\#(job.start)}"#
            let escaped = payload.replacingOccurrences(of: "\"", with: "\\\"")
            work += [job.tid, #"{"queue":"default","payload":"\#(escaped)","run_at":\#(job.start)}"#]
        }
        // One EVAL: the beat lands whole or not at all, like Sidekiq's pipelined heartbeat.
        let script = """
            redis.call('SADD', 'processes', KEYS[1]); redis.call('UNLINK', KEYS[2])
            for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
            redis.call('EXPIRE', KEYS[2], 60)
            redis.call('HSET', KEYS[1], 'info', ARGV[1], 'busy', (#ARGV - 2) / 2, 'beat', ARGV[2], 'quiet', 'false', 'rss', 100000,
                       'rtt_us', 100)
            redis.call('EXPIRE', KEYS[1], 60)
            return 'OK'
            """
        let reply = (try? server.cli(["EVAL", script, "2", identity, identity + ":work", info, String(now)] + work)) ?? ""
        guard reply.trimmingCharacters(in: .whitespacesAndNewlines) == "OK" else { return }
        let landed = Date().timeIntervalSince1970
        lock.withLock { for job in jobs where listed[job.jid] == nil { listed[job.jid] = (job, landed) } }
    }
}
