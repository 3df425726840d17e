#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Aggregates job payloads per class for `kiqprof census`. Pure: it is fed raw payload bytes and keeps only
/// per-class totals, so memory stays bounded whatever the queue sizes. Class names are interned by a hash
/// of their raw bytes, so a million payloads of ten classes create ten Strings, not a million.
public struct CensusAccumulator {
    /// Where a payload was found: `queue:NAME`, `retry`, `schedule` or `dead`.
    public struct Location: Hashable, Sendable {
        public let name: String
        /// Error classes are tallied only for retry and dead.
        public let tracksErrors: Bool

        public static func queue(_ name: String) -> Location { Location(name: "queue:" + name, tracksErrors: false) }
        public static let retry = Location(name: "retry", tracksErrors: true)
        public static let schedule = Location(name: "schedule", tracksErrors: false)
        public static let dead = Location(name: "dead", tracksErrors: true)
    }

    /// The limit on listed unparseable payloads; all of them are counted.
    public static let unparseableExampleLimit = 1000

    /// Open-addressing table from a class name's FNV-1a hash to its index: cheaper than Dictionary's
    /// SipHash on the per-payload path. `classSlots` holds index + 1 (0 = empty).
    private var classSlots = [Int32](repeating: 0, count: 256)
    private var classHashes: [UInt64] = []
    private var classBytes: [[UInt8]] = []
    private var names: [String] = []
    private var totals: [Int] = []
    /// countsByLocation[class][location id]
    private var countsByLocation: [[Int]] = []
    private var oldest: [Double?] = []
    private var bytesTotal: [Int] = []
    private var bytesMax: [Int] = []
    private var errorCounts: [[String: Int]] = []
    private var locations: [Location] = []
    private var locationIndex: [Location: Int] = [:]
    public private(set) var unparseable: [CensusResult.Unparseable] = []
    public private(set) var unparseableCount = 0
    public private(set) var payloadCount = 0

    public init() {}

    /// Counts one payload found at `location` (key `key`, element `index`).
    public mutating func add(_ payload: UnsafeRawBufferPointer, location: Location, key: String, index: Int) {
        add(payload, locationId: locationIdentifier(location), key: key, index: index)
    }

    /// The per-payload path: the caller resolves `locationId` once per page with `locationIdentifier(_:)`.
    public mutating func add(_ payload: UnsafeRawBufferPointer, locationId: Int, key: String, index: Int) {
        var classSpan: JSONSpan?
        var wrappedSpan: JSONSpan?
        var enqueuedSpan: JSONSpan?
        var createdSpan: JSONSpan?
        var errorSpan: JSONSpan?
        let tracksErrors = locations[locationId].tracksErrors
        do throws(JSONScanError) {
            try JSONScanner.scanObject(payload) { name, span in
                switch name.count {
                case 5 where span.kind == .string && JSONScanner.key(name, is: "class"): classSpan = span
                case 7 where span.kind == .string && JSONScanner.key(name, is: "wrapped"): wrappedSpan = span
                case 10 where JSONScanner.key(name, is: "created_at"): createdSpan = span
                case 11 where JSONScanner.key(name, is: "enqueued_at"): enqueuedSpan = span
                case 11 where tracksErrors && span.kind == .string && JSONScanner.key(name, is: "error_class"): errorSpan = span
                default: break
                }
            }
        } catch {
            recordUnparseable(key: key, index: index, reason: error.description)
            return
        }
        guard let nameSpan = wrappedSpan ?? classSpan, nameSpan.end > nameSpan.start else {
            recordUnparseable(key: key, index: index, reason: JobPayloadError.missingClass.description)
            return
        }
        payloadCount += 1
        let id = classIdentifier(payload, nameSpan)
        totals[id] += 1
        if countsByLocation[id].count <= locationId {
            countsByLocation[id] += [Int](repeating: 0, count: locationId + 1 - countsByLocation[id].count)
        }
        countsByLocation[id][locationId] += 1
        bytesTotal[id] += payload.count
        if payload.count > bytesMax[id] { bytesMax[id] = payload.count }
        // Only the timestamp that is used gets parsed.
        if let raw = (enqueuedSpan ?? createdSpan).flatMap({ JSONScanner.double(payload, $0) }),
            case let stamp = SidekiqTime.epochSeconds(raw), stamp < (oldest[id] ?? .infinity)
        {
            oldest[id] = stamp
        }
        if let errorSpan, let errorClass = JSONScanner.string(payload, errorSpan) {
            errorCounts[id][errorClass, default: 0] += 1
        }
    }

    /// Records a payload that is not a readable Sidekiq job, keeping its key and index.
    public mutating func recordUnparseable(key: String, index: Int, reason: String) {
        unparseableCount += 1
        if unparseable.count < Self.unparseableExampleLimit {
            unparseable.append(CensusResult.Unparseable(key: key, index: index, reason: reason))
        }
    }

    /// The per-class summary, largest class first (ties by name, so output is deterministic).
    public func result(now: Double, warnings: [String]) -> CensusResult {
        var classes: [CensusResult.ClassSummary] = []
        for id in names.indices {
            var byLocation: [String: Int] = [:]
            for (locationId, count) in countsByLocation[id].enumerated() where count > 0 { byLocation[locations[locationId].name] = count }
            classes.append(CensusResult.ClassSummary(
                jobClass: names[id], total: totals[id], byLocation: byLocation, oldestEnqueuedAt: oldest[id],
                payloadBytesTotal: bytesTotal[id], payloadBytesMax: bytesMax[id], errorClasses: errorCounts[id]))
        }
        classes.sort { ($1.total, $0.jobClass) < ($0.total, $1.jobClass) }
        return CensusResult(now: now, classes: classes, unparseable: unparseable, unparseableCount: unparseableCount, warnings: warnings)
    }

    /// The small integer that stands for `location` in the per-payload path.
    public mutating func locationIdentifier(_ location: Location) -> Int {
        if let id = locationIndex[location] { return id }
        locations.append(location)
        locationIndex[location] = locations.count - 1
        return locations.count - 1
    }

    private mutating func classIdentifier(_ payload: UnsafeRawBufferPointer, _ span: JSONSpan) -> Int {
        let raw = UnsafeRawBufferPointer(rebasing: payload[span.start..<span.end])
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in raw { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        if span.hasEscapes { hash = ~hash }
        var slot = Int(truncatingIfNeeded: hash) & (classSlots.count - 1)
        while classSlots[slot] != 0 {
            let id = Int(classSlots[slot]) - 1
            if classHashes[id] == hash {
                let known = classBytes[id]
                if known.count == raw.count, known.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }) {
                    return id
                }
            }
            slot = (slot + 1) & (classSlots.count - 1)
        }
        let name = JSONScanner.string(payload, span) ?? String(decoding: raw, as: UTF8.self)
        classBytes.append(Array(raw))
        classHashes.append(hash)
        names.append(name)
        totals.append(0)
        countsByLocation.append([])
        oldest.append(nil)
        bytesTotal.append(0)
        bytesMax.append(0)
        errorCounts.append([:])
        classSlots[slot] = Int32(names.count)
        if names.count * 2 > classSlots.count { rehash() }
        return names.count - 1
    }

    /// Doubles the class table when it is half full.
    private mutating func rehash() {
        classSlots = [Int32](repeating: 0, count: classSlots.count * 2)
        for (id, hash) in classHashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & (classSlots.count - 1)
            while classSlots[slot] != 0 { slot = (slot + 1) & (classSlots.count - 1) }
            classSlots[slot] = Int32(id + 1)
        }
    }
}
