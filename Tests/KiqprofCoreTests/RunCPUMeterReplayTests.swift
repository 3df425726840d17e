import Foundation
import Testing
@testable import KiqprofCore

/// Replays the CPU meter on recordings of real Sidekiq 6.4.1 (Tests/Fixtures/threadcpu/README.md): each run's
/// measure against the job's own CLOCK_THREAD_CPUTIME_ID.
@Suite("per-run CPU replayed from real recordings")
struct RunCPUMeterReplayTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/threadcpu")

    struct Outcome {
        var within = 0, long = 0
        var misses: [String] = []
    }

    static func replay(_ name: String) throws -> Outcome {
        let directory = fixtures.appendingPathComponent(name)
        let text = try String(contentsOf: directory.appendingPathComponent("trace.jsonl"), encoding: .utf8)
        let trace = try RunCPUTrace.read(text, file: "\(name)/trace.jsonl")
        var truth: [String: (cpu: Double, wall: Double)] = [:]
        for line in try String(contentsOf: directory.appendingPathComponent("truth.txt"), encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, let cpu = Double(fields[1]), let wall = Double(fields[2]) { truth[String(fields[0])] = (cpu, wall) }
        }
        // The recording host is the hostname in each Sidekiq identity (host:pid:nonce).
        let host = trace.lazy.compactMap(\.identity).first.map { String($0.split(separator: ":")[0]) } ?? ""
        var outcome = Outcome()
        for run in RunCPUTrace.replay(trace, localHost: host) {
            guard let jid = run.jid, let real = truth[jid], real.wall > 3 else { continue }
            outcome.long += 1
            if let cpu = run.cpu, abs(cpu.seconds - real.cpu) <= max(0.5, 0.1 * real.cpu) {
                outcome.within += 1
            } else {
                outcome.misses.append("\(run.jobClass) tid=\(run.tid ?? "") run_at=\(Int(run.start)) truth=\(real.cpu) "
                    + "measured=\(run.cpu.map { "\($0.seconds) (\($0.mapping))" } ?? "nil: \(run.cpuNote?.rawValue ?? "")")")
            }
        }
        return outcome
    }

    @Test func aSleeperThatStartedWithAHogWaitsForItsThread() throws {
        let outcome = try Self.replay("co-start")
        #expect(outcome.long == 42)
        #expect(outcome.within == 42, "\(outcome.misses)")
    }

    @Test func everyLongRunOfTheMixIsWithinTolerance() throws {
        let outcome = try Self.replay("mix")
        #expect(outcome.long == 44)
        #expect(outcome.within == 44, "\(outcome.misses)")
    }

    @Test func aBadTraceLineIsNamed() {
        #expect(throws: KiqprofError.self) { try RunCPUTrace.read("{\"kind\":\"threads\",\"t\":1}\nnot json", file: "t.jsonl") }
        do {
            _ = try RunCPUTrace.read("{\"kind\":\"threads\",\"t\":1}\nnot json", file: "t.jsonl")
        } catch {
            #expect("\(error)".hasPrefix("t.jsonl:2: expected a thread-trace line"))
        }
    }
}
