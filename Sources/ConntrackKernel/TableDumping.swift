import ConntrackModel
import LinuxSystem

/// What a table read needs from the kernel: dumps, whole or TCP-only per family.
/// ``ConntrackSocket`` in the exporter; recorded replies in tests.
public protocol TableDumping: AnyObject {
    /// Calls `body` for each entry: every entry, or with `tcpOnly` the TCP entries of
    /// `family` (which must then be set), as far as the kernel honours the filter.
    func dump(family: IPAddress.Family?, tcpOnly: Bool, _ body: (ConntrackEntry) -> Void) throws(SystemError)
}
