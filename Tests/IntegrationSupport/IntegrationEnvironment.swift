import Foundation
import Glibc

/// Integration tests need root (network namespaces, conntrack over netlink). They run
/// when root; without root they are skipped on a developer's machine and fail under CI.
package enum IntegrationEnvironment {
    package static let isRoot = getuid() == 0
    package static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    /// The trait condition: run as root, and run (to fail loudly) under CI.
    package static let shouldRun = isRoot || isCI

    package static func requireRoot() throws {
        guard isRoot else {
            throw TestFailure("integration tests need root and network namespaces; CI=true makes this a failure, not a skip")
        }
    }

    /// Where the package's executables were built: beside the test bundle.
    package static func executable(_ name: String) -> String {
        if let path = ProcessInfo.processInfo.environment["CONNTRACK_EXPORTER_BIN_DIR"] {
            return "\(path)/\(name)"
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent(name).path
    }
}
