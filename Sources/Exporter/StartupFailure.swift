import ConntrackKernel
import Glibc
import LinuxSystem

/// Why the exporter could not start, as the one line it logs before exiting with status 1.
public struct StartupFailure: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }

    /// The table could not be read or subscribed to: says how to grant CAP_NET_ADMIN when that is why.
    static func tableUnreadable(_ error: any Error) -> StartupFailure {
        if let error = error as? SystemError, error.errno == EPERM {
            return StartupFailure("cannot read the conntrack table: CAP_NET_ADMIN is missing; run as root, or grant the capability "
                + "(docker run --cap-add=NET_ADMIN --net=host, systemd AmbientCapabilities=CAP_NET_ADMIN)")
        }
        return StartupFailure("cannot read the conntrack table: \(error)")
    }
}
