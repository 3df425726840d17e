/// A job in progress, from a process's work hash: field = tid, value = `{queue, payload, run_at}` (sidekiq-layout §6).
public struct BusyJob: Sendable, Equatable {
    public var identity: String
    public var tid: String
    public var queue: String
    /// Epoch seconds, whole: `run_at` is `Time.now.to_i` in every version.
    public var runAt: Double
    public var payload: JobPayload

    public var jobClass: String { payload.jobClass }
    public var jid: String? { payload.jid }

    public func elapsed(now: Double) -> Double { max(0, now - runAt) }

    /// Decodes one work-hash value; `payload` may be a JSON string (6.0.2+) or an object (older).
    public static func decode(identity: String, tid: String, value: [UInt8]) throws(JobPayloadError) -> BusyJob {
        let result = value.withUnsafeBytes { buffer -> Result<BusyJob, JobPayloadError> in
            var queue: String?
            var runAt: Double?
            var payloadSpan: JSONSpan?
            do throws(JSONScanError) {
                try JSONScanner.scanObject(buffer) { key, span in
                    if JSONScanner.key(key, is: "queue") { queue = JSONScanner.string(buffer, span) }
                    else if JSONScanner.key(key, is: "run_at") { runAt = JSONScanner.double(buffer, span) }
                    else if JSONScanner.key(key, is: "payload") { payloadSpan = span }
                }
            } catch {
                return .failure(.invalidJSON(error))
            }
            guard let payloadSpan, let runAt else { return .failure(.missingClass) }
            let payload: JobPayload
            do throws(JobPayloadError) {
                switch payloadSpan.kind {
                case .string:
                    let inner = payloadSpan.hasEscapes
                        ? JSONScanner.decodeEscapes(UnsafeRawBufferPointer(rebasing: buffer[payloadSpan.start..<payloadSpan.end]))
                        : Array(buffer[payloadSpan.start..<payloadSpan.end])
                    payload = try JobPayload.decode(inner)
                case .object:
                    payload = try JobPayload.decode(UnsafeRawBufferPointer(rebasing: buffer[payloadSpan.start..<payloadSpan.end]))
                default:
                    return .failure(.missingClass)
                }
            } catch {
                return .failure(error)
            }
            return .success(BusyJob(identity: identity, tid: tid, queue: queue ?? payload.queue ?? "",
                runAt: SidekiqTime.epochSeconds(runAt), payload: payload))
        }
        return try result.get()
    }
}
