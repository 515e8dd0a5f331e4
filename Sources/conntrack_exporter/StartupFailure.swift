import ConntrackExporter
import Glibc

/// The one line the exporter prints when it cannot read the table at startup.
enum StartupFailure {
    static func message(for error: any Error) -> String {
        if let error = error as? SystemError, error.errno == EPERM {
            return "cannot read the conntrack table: CAP_NET_ADMIN is missing; run as root, or grant the capability "
                + "(docker run --cap-add=NET_ADMIN --net=host, systemd AmbientCapabilities=CAP_NET_ADMIN)"
        }
        return "cannot read the conntrack table: \(error)"
    }
}
