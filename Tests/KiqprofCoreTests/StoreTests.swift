import Foundation
import Testing
@testable import KiqprofCore

@Suite struct StoreTests {
    func temporaryStore() throws -> Store {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-store-\(UUID().uuidString)/k.sqlite").path
        return try Store(path: path)
    }

    @Test func writesABatchAndReadsRunsBackNewestFirst() throws {
        let store = try temporaryStore()
        var batch = RecordBatch()
        batch.runs = [
            JobRun(jid: "a", jobClass: "A", queue: "default", identity: "vm:1:x", host: "vm", pid: 1, tid: "t", start: 100,
                   end: .between(110, 120), outcome: .ok, source: .poll),
            JobRun(jid: "b", jobClass: "B", queue: "low", identity: "vm:1:x", host: "vm", pid: 1, tid: "u", start: 200,
                   end: .exact(205), outcome: .failed, source: .log),
        ]
        batch.hostSamples = [HostSample(t: 100, host: "vm", source: .proc)]
        batch.gaps = [.init(from: 150, to: 160, kind: .redis, reason: "down")]
        try store.write(batch)
        let runs = try store.runs()
        #expect(runs.map(\.jid) == ["b", "a"])
        #expect(runs[1].end.estimate == 115)
        #expect(try store.runs(jobClass: "A").count == 1)
        #expect(try store.runs(from: 116).map(\.jid) == ["b"])
        #expect(try store.counts()["host_sample"] == 1)
        #expect(try store.gaps().first?.reason == "down")
        #expect(try store.integrityCheck() == "ok")
        // Reopening migrates nothing twice.
        let again = try Store(path: store.path)
        #expect(try again.runs().count == 2)
    }

    @Test func retentionPrunesInBatches() throws {
        let store = try temporaryStore()
        var batch = RecordBatch()
        batch.hostSamples = (0..<30).map { HostSample(t: Double($0), host: "vm", source: .proc) }
        try store.write(batch)
        #expect(try store.prune(before: 20, limit: 7) == 7)
        try store.prune(before: 20, limit: 100)
        #expect(try store.counts()["host_sample"] == 10)
    }

    @Test func defaultPathFollowsTheEnvironment() {
        #expect(Store.defaultPath(environment: ["KIQPROF_DB": "/x/k.db"]) == "/x/k.db")
        #expect(Store.defaultPath(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/kiqprof/kiqprof.sqlite")
        #expect(Store.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/share/kiqprof/kiqprof.sqlite")
    }

    @Test func notADatabaseIsANamedError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiqprof-junk-\(UUID().uuidString).sqlite").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try Store(path: path) }
        do { _ = try Store(path: path) } catch { #expect("\(error)".hasPrefix("store \(path): ")) }
    }

    @Test func everyReadAndWriteFailsAsAStoreErrorNamingTheFileAndWhatFailed() throws {
        let store = try temporaryStore()
        // Another program broke the file underneath: a table the analysis reads is gone.
        try store.database.write { try $0.execute(sql: "DROP TABLE host_sample") }
        do {
            _ = try store.incidentDataset(from: 0, to: 1)
            Issue.record("a read of a dropped table succeeded")
        } catch let error as StoreError {
            #expect(error.sql?.contains("FROM host_sample") == true, "the error carries the statement that failed: \(error)")
        }
        // Record reads and writes fail in GRDB's schema lookup, before any SQL: the error names the table.
        for failing in [{ _ = try store.hostSamples() },
                        { var batch = RecordBatch(); batch.hostSamples = [HostSample(t: 1, host: "vm", source: .proc)]
                          try store.write(batch) }] as [() throws -> Void] {
            do {
                try failing()
                Issue.record("a read or write of a dropped table succeeded")
            } catch let error as StoreError {
                #expect("\(error)".hasPrefix("store \(store.path): ") && "\(error)".contains("host_sample"), "\(error)")
            }
        }
    }
}
