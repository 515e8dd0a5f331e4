import CLinux
import Glibc

/// The process's Linux capabilities.
public enum Capabilities {
    /// Makes CAP_NET_ADMIN effective if it is permitted (a file capability `+p`).
    public static func raiseNetAdmin() throws(SystemError) {
        try systemCall("raising CAP_NET_ADMIN") { clinux_raise_net_admin() }
    }
}
