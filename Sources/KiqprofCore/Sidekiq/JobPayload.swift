/// The fields kiqprof uses from a Sidekiq job payload (sidekiq-layout §2.2), decoded from its JSON.
public struct JobPayload: Sendable, Equatable {
    /// The class that did the work: `wrapped` for ActiveJob wrappers, else `class`.
    public var jobClass: String
    /// The wrapper class when `wrapped` was present (e.g. `Sidekiq::ActiveJob::Wrapper`).
    public var wrapperClass: String?
    public var jid: String?
    public var queue: String?
    /// Epoch seconds, whatever unit the payload used.
    public var createdAt: Double?
    public var enqueuedAt: Double?
    public var failedAt: Double?
    public var retriedAt: Double?
    public var retryCount: Int?
    public var errorClass: String?
    public var errorMessage: String?
    /// The raw JSON text of `args`, shown only on request (args are attacker-controlled on federated servers).
    public var argsJSON: String?
    public var byteCount: Int

    public init(jobClass: String, jid: String? = nil, queue: String? = nil, byteCount: Int = 0) {
        self.jobClass = jobClass
        self.jid = jid
        self.queue = queue
        self.byteCount = byteCount
    }

    /// Decodes a payload. Throws when it is not a JSON object or has no `class` string.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(JobPayloadError) -> JobPayload {
        var className: String?
        var wrapped: String?
        var payload = JobPayload(jobClass: "", byteCount: bytes.count)
        do {
            try JSONScanner.scanObject(bytes) { key, span in
                switch key.count {
                case 3 where JSONScanner.key(key, is: "jid"): payload.jid = JSONScanner.string(bytes, span)
                case 4 where JSONScanner.key(key, is: "args"):
                    payload.argsJSON = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end]), as: UTF8.self)
                case 5 where JSONScanner.key(key, is: "class"): className = JSONScanner.string(bytes, span)
                case 5 where JSONScanner.key(key, is: "queue"): payload.queue = JSONScanner.string(bytes, span)
                case 7 where JSONScanner.key(key, is: "wrapped"): wrapped = JSONScanner.string(bytes, span)
                case 9 where JSONScanner.key(key, is: "failed_at"): payload.failedAt = JSONScanner.double(bytes,
                    span).map(SidekiqTime.epochSeconds)
                case 10 where JSONScanner.key(key, is: "created_at"): payload.createdAt = JSONScanner.double(bytes,
                    span).map(SidekiqTime.epochSeconds)
                case 10 where JSONScanner.key(key, is: "retried_at"): payload.retriedAt = JSONScanner.double(bytes,
                    span).map(SidekiqTime.epochSeconds)
                case 11 where JSONScanner.key(key, is: "enqueued_at"): payload.enqueuedAt = JSONScanner.double(bytes,
                    span).map(SidekiqTime.epochSeconds)
                case 11 where JSONScanner.key(key, is: "error_class"): payload.errorClass = JSONScanner.string(bytes, span)
                case 11 where JSONScanner.key(key, is: "retry_count"): payload.retryCount = JSONScanner.double(bytes,
                    span).flatMap { Int(exactly: $0) }
                case 13 where JSONScanner.key(key, is: "error_message"): payload.errorMessage = JSONScanner.string(bytes, span)
                default: break
                }
            }
        } catch {
            throw .invalidJSON(error)
        }
        guard let className, !className.isEmpty else { throw .missingClass }
        if let wrapped, !wrapped.isEmpty {
            payload.jobClass = wrapped
            payload.wrapperClass = className
        } else {
            payload.jobClass = className
        }
        return payload
    }

    public static func decode(_ bytes: [UInt8]) throws(JobPayloadError) -> JobPayload {
        let result = bytes.withUnsafeBytes { buffer -> Result<JobPayload, JobPayloadError> in
            do throws(JobPayloadError) { return .success(try decode(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Why a payload could not be read as a Sidekiq job.
public enum JobPayloadError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidJSON(JSONScanError)
    case missingClass

    public var description: String {
        switch self {
        case .invalidJSON(let error): return error.description
        case .missingClass: return "valid JSON but no \"class\" string: not a Sidekiq job"
        }
    }
}
