/// `net.netfilter.nf_conntrack_timestamp`: whether the kernel stamps new entries with
/// their start and stop times, which connection durations need. Only read, never written.
public enum TimestampSetting {
    public static let path = "/proc/sys/net/netfilter/nf_conntrack_timestamp"

    /// True when on; false when off or unreadable.
    public static func isEnabled() -> Bool {
        SysctlFlag.isOne(path)
    }
}
