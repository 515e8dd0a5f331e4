import Glibc

/// Whole seconds of `CLOCK_MONOTONIC`: never jumps with the wall clock, so ages computed
/// from it survive NTP steps.
public enum MonotonicClock {
    public static func seconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec)
    }

    /// Seconds with their fraction, for measuring windows.
    public static func preciseSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
