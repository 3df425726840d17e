#if canImport(Glibc)
import Glibc
#endif

/// The real clocks (`MonotonicClock`) and a sleep that checks for a stop request every 0.1 s.
public final class SystemRecorderClock: RecorderClock {
    public init() {}

    public func monotonic() -> Double { MonotonicClock.seconds() }

    public func now() -> Double { MonotonicClock.now() }

    public func sleep(until deadline: Double, shouldStop: () -> Bool) {
        while !shouldStop() {
            let remaining = deadline - MonotonicClock.seconds()
            if remaining <= 0 { return }
            usleep(UInt32(min(remaining, 0.1) * 1_000_000))
        }
    }
}

// Stateless; final class only so the protocol can stay class-bound like the recorder's other parts.
extension SystemRecorderClock: Sendable {}
