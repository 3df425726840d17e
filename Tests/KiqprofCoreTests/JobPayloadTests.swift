import Testing
@testable import KiqprofCore

@Suite struct JobPayloadTests {
    @Test func sidekiq6FloatSeconds() throws {
        let json = #"{"retry":true,"queue":"default","args":[25],"class":"SlowJob","jid":"fd4bdaa9f3b016e1a77b3276","#
            + #""created_at":1795714000.4981797,"enqueued_at":1795714000.4981973}"#
        let job = try JobPayload.decode(Array(json.utf8))
        #expect(job.jobClass == "SlowJob")
        #expect(job.wrapperClass == nil)
        #expect(job.jid == "fd4bdaa9f3b016e1a77b3276")
        #expect(job.queue == "default")
        #expect(abs(job.enqueuedAt! - 1795714000.4981973) < 1e-6)
        #expect(job.argsJSON == "[25]")
    }

    @Test func sidekiq8MillisecondsAndErrors() throws {
        let json = #"{"retry":3,"queue":"default","backtrace":5,"tags":["alpha","beta"],"args":["fail",0.1],"class":"HardJob","#
            + #""jid":"a1798d987c25143b7807babf","created_at":1795714220779,"enqueued_at":1795714220779,"error_message":"boom fail","#
            + #""error_class":"ArgumentError","failed_at":1795714220879,"retry_count":0}"#
        let job = try JobPayload.decode(Array(json.utf8))
        #expect(job.createdAt == 1795714220.779)
        #expect(job.failedAt == 1795714220.879)
        #expect(job.errorClass == "ArgumentError")
        #expect(job.errorMessage == "boom fail")
        #expect(job.retryCount == 0)
    }

    @Test func activeJobWrapperReportsTheWrappedClass() throws {
        let json = #"{"retry":true,"queue":"mailers","class":"Sidekiq::ActiveJob::Wrapper","wrapped":"MyAjJob","#
            + #""args":[{"job_class":"MyAjJob","arguments":[1]}],"jid":"f9e0c0adec3f2d6558c19de5","created_at":1795714000.4984055}"#
        let job = try JobPayload.decode(Array(json.utf8))
        #expect(job.jobClass == "MyAjJob")
        #expect(job.wrapperClass == "Sidekiq::ActiveJob::Wrapper")
    }

    @Test func notAJob() {
        #expect(throws: JobPayloadError.missingClass) { try JobPayload.decode(Array(#"{"jid":"x"}"#.utf8)) }
        #expect(throws: JobPayloadError.self) { try JobPayload.decode(Array("[1]".utf8)) }
    }

    @Test func workEntryWithPayloadAsStringOrObject() throws {
        let payload = #"{"queue":"default","payload":"{\"retry\":true,\"queue\":\"default\",\"args\":[25],\"class\":\"SlowJob\","#
            + #"\"jid\":\"fd4bdaa9f3b016e1a77b3276\"}","run_at":1795714000}"#
        let asString = try BusyJob.decode(identity: "vm:1:a", tid: "ddl", value: Array(payload.utf8))
        #expect(asString.jobClass == "SlowJob")
        #expect(asString.runAt == 1795714000)
        #expect(asString.elapsed(now: 1795714025) == 25)
        let asObject = try BusyJob.decode(identity: "vm:1:a", tid: "ddl",
            value: Array(#"{"queue":"low","payload":{"class":"OldJob","jid":"j1","args":[]},"run_at":1795714000}"#.utf8))
        #expect(asObject.jobClass == "OldJob")
        #expect(asObject.queue == "low")
        #expect(throws: JobPayloadError.self) {
            try BusyJob.decode(identity: "vm:1:a", tid: "t", value: Array(#"{"queue":"low","payload":"{oops","run_at":1}"#.utf8))
        }
    }

    @Test func processIdentityIsParsedFromTheRight() {
        let process = SidekiqProcess(identity: "web:01:2345:0123456789ab", state: .gone)
        #expect(process.hostname == "web:01")
        #expect(process.pid == 2345)
        #expect(process.heartbeatSeconds == 5)
        var seven = SidekiqProcess(identity: "vm:1:abc", state: .live)
        seven.version = "7.3.10"
        seven.beat = 1000
        #expect(seven.staleAfterSeconds == 30)
        #expect(!seven.isStale(now: 1030))
        #expect(seven.isStale(now: 1030.5))
    }
}
