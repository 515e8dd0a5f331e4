/// How one table read asks the kernel for the entries.
public enum DumpPlan: Hashable, Sendable {
    /// One dump of every entry, of every protocol.
    case whole
    /// One dump per address family with a kernel filter that keeps TCP entries only.
    case tcpPerFamily
}
