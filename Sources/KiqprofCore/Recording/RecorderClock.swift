/// The recorder's time: `SystemRecorderClock` in production, a manual clock in unit tests, so a test
/// replays minutes of polling without sleeping.
public protocol RecorderClock: AnyObject {
    /// Seconds on a monotonic clock, for intervals (flush, retention, duration, the poll schedule).
    func monotonic() -> Double

    /// Epoch seconds, the time polls and samples are stamped with.
    func now() -> Double

    /// Returns once `monotonic()` reaches `deadline`, or as soon as `shouldStop()` is true.
    func sleep(until deadline: Double, shouldStop: () -> Bool)
}
