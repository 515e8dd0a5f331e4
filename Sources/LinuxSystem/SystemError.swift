import Glibc

/// A failed system call or C library call: what was being done and the errno it left.
public struct SystemError: Error, Equatable, CustomStringConvertible {
    /// What the exporter was doing, e.g. "dumping the conntrack table".
    public let operation: String
    /// The errno value the call left.
    public let errno: Int32

    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation): \(String(cString: strerror(errno)))"
    }
}
