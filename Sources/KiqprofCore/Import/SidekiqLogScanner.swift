import Foundation

/// The reading and parsing side of `import sidekiq-log`, on threads of its own: turns the log's lines into
/// `LogRecord`s and hands the job-related ones over in batches, in log order, while the importer pairs and
/// stores them. A regular file that needs no fingerprint (a dry run) is parsed in blocks by two threads at
/// once; otherwise one thread reads it through a `LineReader`, hashing it as it goes.
final class SidekiqLogScanner: @unchecked Sendable {
    struct Batch: Sendable {
        var records: [LogRecord] = []
        /// Names interned since the previous batch, in index order.
        var newNames: [String] = []
        /// Lines scanned into this batch; their numbers follow the previous batch's.
        var lines = 0
        var notUnderstood = 0
        /// The first few lines that are not Sidekiq's: line within the batch (1-based) and why.
        var examples: [(line: Int, reason: String)] = []
        /// The line within the batch that held a NUL byte: the scan stopped there.
        var binaryLine: Int?
        /// How far into the log this batch reaches, in bytes.
        var bytesRead = 0
        /// Block mode: the last batch of its block (the next one comes from the next thread).
        var endsBlock = false
    }

    /// Ends a sequential scan early: the consumer cancelled, or a line held a NUL byte.
    private struct Stop: Error {}

    static let batchSize = 4096
    static let blockSize = 4 << 20
    static let blockThreads = 2

    private let reader: LineReader
    private let clock: SidekiqLogParser.Clock?
    private let format: SidekiqLogFormat?
    private let fingerprinting: Bool
    private let blockSize: Int
    private let channels: [LogBatchChannel<Batch>]
    // The consumer's side: the summary so far, and in block mode each thread's names mapped to one table.
    private(set) var summary: ImportSummary
    private var worker = 0
    private var names = SidekiqLogParser.State().names
    private var handedNames = 0
    private var remaps: [[Int32]]
    private var fingerprintResult = ContentFingerprint()

    /// `fingerprint`: hash the content (only an import into a store needs it). A file of four blocks or more
    /// is parsed in blocks when it needs no fingerprint.
    init(reader: LineReader, clock: SidekiqLogParser.Clock?, format: SidekiqLogFormat?, fingerprint: Bool,
        blockSize: Int = SidekiqLogScanner.blockSize) {
        self.reader = reader
        self.clock = clock
        self.format = format
        self.fingerprinting = fingerprint
        self.blockSize = blockSize
        summary = ImportSummary(source: reader.name, kind: .sidekiqLog)
        let threads = !fingerprint && (reader.totalBytes ?? 0) >= 4 * blockSize ? Self.blockThreads : 1
        // A few batches in flight per thread: enough to keep every thread busy, a few MB in all. Blocks are
        // taken strictly in turn, so a block thread that the scheduler favours runs ahead: give it room
        // (about four 4 MiB blocks) rather than let it wait while the other catches up.
        channels = (0..<threads).map { _ in LogBatchChannel<Batch>(capacity: threads > 1 ? 16 : 4) }
        remaps = Array(repeating: [], count: threads)
    }

    /// Starts the scanning threads.
    func start() {
        if channels.count == 1 {
            Thread { self.scanSequentially(into: self.channels[0]) }.start()
        } else {
            for worker in channels.indices { Thread { self.scanBlocks(worker: worker) }.start() }
        }
    }

    /// Consumer: the next batch in log order with names as indexes into one table (nil at the end); throws
    /// what stopped the scan, or refuses binary data at its line.
    func next() throws -> Batch? {
        let from = worker
        guard var batch = try channels[from].take() else { return nil }
        if batch.endsBlock { worker = (worker + 1) % channels.count }
        if channels.count > 1 { remapNames(&batch, worker: from) }
        let offset = summary.lines
        for example in batch.examples { summary.notUnderstood(line: offset + example.line, reason: example.reason) }
        summary.notUnderstood += batch.notUnderstood - batch.examples.count
        summary.lines += batch.lines
        summary.bytes = max(summary.bytes, batch.bytesRead)
        if let line = batch.binaryLine {
            throw KiqprofError.invalidData(
                location: "\(reader.name):\(offset + line) (byte \(batch.bytesRead))",
                    reason: "binary data (a NUL byte), not a text log; nothing was imported")
        }
        return batch
    }

    /// Consumer: stops every scanning thread and waits for them.
    func cancel() {
        for channel in channels { channel.cancel() }
    }

    /// The content's fingerprint, once `next()` has returned nil (fingerprinting scans only).
    var fingerprint: ContentFingerprint { fingerprintResult }

    // MARK: scanning threads

    private func scanSequentially(into channel: LogBatchChannel<Batch>) {
        var state = SidekiqLogParser.State()
        var record = LogRecord()
        var batch = Batch()
        var handed = 0
        var fingerprint = ContentFingerprint()
        let fingerprinting = self.fingerprinting, reader = self.reader
        func hand() throws {
            batch.newNames = Array(state.names.names[handed...])
            handed = state.names.names.count
            batch.bytesRead = reader.bytesRead
            guard channel.put(batch) else { throw Stop() }
            batch = Batch()
            batch.records.reserveCapacity(Self.batchSize)
        }
        var failure: (any Error)?
        do {
            // A NUL byte is looked for per chunk; lines are searched only once a chunk held one.
            var sawNUL = false
            try reader.forEachLine(chunk: { chunk in
                if fingerprinting { fingerprint.update(chunk) }
                if !sawNUL, let base = chunk.baseAddress, memchr(base, 0, chunk.count) != nil { sawNUL = true }
            }) { line, _ in
                if !scan(line, checkNUL: sawNUL, state: &state, record: &record, into: &batch) { throw Stop() }
                if batch.records.count == Self.batchSize { try hand() }
            }
            try hand()
        } catch is Stop {
            if batch.binaryLine != nil { _ = try? hand() }
        } catch {
            failure = error
        }
        fingerprintResult = fingerprint
        channel.finish(failure)
    }

    private func scanBlocks(worker: Int) {
        let channel = channels[worker]
        let size = reader.totalBytes ?? 0
        let blocks = LogBlockReader(fd: reader.fd, name: reader.name, fileSize: size, blockSize: blockSize)
        var state = SidekiqLogParser.State()
        var record = LogRecord()
        var batch = Batch()
        var handed = 0
        var failure: (any Error)?
        // Hands `batch` on, in pieces of `batchSize` records so memory stays small; false to stop.
        func hand(reaching bytes: Int, endsBlock: Bool) -> Bool {
            batch.newNames = Array(state.names.names[handed...])
            handed = state.names.names.count
            batch.bytesRead = bytes
            batch.endsBlock = endsBlock
            let stop = batch.binaryLine != nil
            guard channel.put(batch), !stop else { return false }
            batch = Batch()
            batch.records.reserveCapacity(Self.batchSize)
            return true
        }
        do {
            var block = worker
            var going = true
            // As in a sequential scan, lines are searched for a NUL byte only once a chunk held one.
            var sawNUL = false
            while going, block < blocks.blockCount {
                let blockEnd = min(size, (block + 1) * blockSize)
                try blocks.forEachLine(inBlock: block, chunk: { chunk in
                    if !sawNUL, let base = chunk.baseAddress, memchr(base, 0, chunk.count) != nil { sawNUL = true }
                }) { line in
                    guard scan(line, checkNUL: sawNUL, state: &state, record: &record, into: &batch) else { return false }
                    return batch.records.count < Self.batchSize || hand(reaching: block * blockSize, endsBlock: false)
                }
                going = hand(reaching: blockEnd, endsBlock: true)
                block += channels.count
            }
        } catch {
            failure = error
        }
        channel.finish(failure)
    }

    /// Parses one line into `batch`; false when it held a NUL byte.
    private func scan(_ line: UnsafeRawBufferPointer, checkNUL: Bool, state: inout SidekiqLogParser.State, record: inout LogRecord,
                      into batch: inout Batch) -> Bool {
        batch.lines += 1
        guard !line.isEmpty else { return true }
        if checkNUL, memchr(line.baseAddress!, 0, line.count) != nil {
            batch.binaryLine = batch.lines
            return false
        }
        guard SidekiqLogParser.parse(line, clock: clock, state: &state, into: &record) else {
            Self.notUnderstood(&batch, Self.reason(line))
            return true
        }
        if let format, record.format != format {
            Self.notUnderstood(&batch, "a \(record.format.rawValue) line, not \(format.rawValue) (--format)")
            return true
        }
        if record.kind != .other { batch.records.append(record) }
        return true
    }

    private static func notUnderstood(_ batch: inout Batch, _ reason: @autoclosure () -> String) {
        batch.notUnderstood += 1
        if batch.examples.count < 10 { batch.examples.append((batch.lines, reason())) }
    }

    /// Block mode: each thread interns names in its own table; map them into the consumer's one.
    private func remapNames(_ batch: inout Batch, worker: Int) {
        for name in batch.newNames { remaps[worker].append(names.intern(name)) }
        batch.newNames = Array(names.names[handedNames...])
        handedNames = names.names.count
        let remap = remaps[worker]
        for index in batch.records.indices { batch.records[index].remap(remap) }
    }

    /// Why a line was not understood, for the summary's examples.
    static func reason(_ line: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: line.prefix(60), as: UTF8.self)
        if line.first == UInt8(ascii: "{") { return "not a Sidekiq or journald JSON entry: \(TextTable.sanitize(text, limit: 60))" }
        if line.first == 9 || line.first == 32 || line.first == UInt8(ascii: "/") { return "a backtrace or continuation line" }
        return "not a Sidekiq log line: \(TextTable.sanitize(text, limit: 60))"
    }
}
