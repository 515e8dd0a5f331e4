import CConntrack
import Glibc
import LinuxSystem

/// Parses conntrack netlink messages that were received elsewhere (recorded ones, in tests).
public enum ConntrackMessages {
    /// Calls `body` for each entry in `messages`, read as a dump or as events.
    public static func parse(_ messages: [UInt8], asEvents: Bool, _ body: (ConntrackEntry) -> Void) throws(SystemError) {
        let result = withEntryCallback(body) { callback, context in
            messages.withUnsafeBytes { cct_parse_messages($0.baseAddress, $0.count, asEvents ? 1 : 0, callback, context) }
        }
        if result < 0 {
            throw SystemError(operation: "parsing conntrack messages", errno: errno)
        }
    }
}
