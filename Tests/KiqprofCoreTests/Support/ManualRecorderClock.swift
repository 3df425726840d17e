@testable import KiqprofCore

/// A clock that moves only when the recorder sleeps, so a test replays minutes of polling at once.
/// Wall time is the monotonic time plus a fixed offset.
final class ManualRecorderClock: RecorderClock {
    private(set) var monotonicNow = 1000.0
    private let offset: Double
    /// Wall time of a poll → extra seconds the sleep after it oversleeps (a starved host).
    var stalls: [Double: Double] = [:]

    init(wallStart: Double) {
        offset = wallStart - monotonicNow
    }

    func monotonic() -> Double { monotonicNow }

    func now() -> Double { monotonicNow + offset }

    func sleep(until deadline: Double, shouldStop: () -> Bool) {
        if shouldStop() { return }
        let stall = stalls[now()] ?? 0
        monotonicNow = max(monotonicNow, deadline) + stall
    }
}
