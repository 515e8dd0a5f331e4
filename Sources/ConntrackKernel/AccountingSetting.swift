/// `net.netfilter.nf_conntrack_acct`: whether the kernel counts each new entry's packets and
/// bytes, which the traffic counters need. Only read, never written.
public enum AccountingSetting {
    public static let path = "/proc/sys/net/netfilter/nf_conntrack_acct"

    /// True when on; false when off or unreadable.
    public static func isEnabled() -> Bool {
        SysctlFlag.isOne(path)
    }
}
