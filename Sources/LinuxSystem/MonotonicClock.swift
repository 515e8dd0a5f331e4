import Glibc

/// Whole seconds of `CLOCK_MONOTONIC`: never jumps with the wall clock, so ages computed
/// from it survive NTP steps.
public enum MonotonicClock {
    public static func seconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec)
    }
}
