import CTLS
import Glibc
import HTTPServer
import LinuxSystem

/// A connection's bytes through TLS. The handshake happens inside the first reads and
/// writes, driven by the server's poll loop like any other I/O, so it never blocks it.
final class TLSTransport: ConnectionTransport {
    private var connection: OpaquePointer?
    private(set) var blockedOn: Int16?

    init?(context: TLSContext, fd: Int32) {
        guard let connection = ctls_connection_new(context.pointer, fd) else { return nil }
        self.connection = connection
    }

    deinit {
        finish()
    }

    var hasBufferedInput: Bool {
        connection.map { ctls_pending($0) > 0 } ?? false
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> TransportRead {
        guard let connection else { return .endOfStream }
        var wants: Int16 = 0
        let result = ctls_read(connection, buffer.baseAddress, buffer.count, &wants)
        return try outcome(result, wants: wants, "reading a request over TLS").map { $0 == 0 ? .endOfStream : .bytes($0) } ?? .wouldBlock
    }

    func write(_ chunks: [UnsafeRawBufferPointer]) throws(SystemError) -> Int? {
        // One chunk per call: after a blocked write OpenSSL wants the same bytes again.
        guard let connection, let chunk = chunks.first(where: { !$0.isEmpty }) else { return 0 }
        var wants: Int16 = 0
        let result = ctls_write(connection, chunk.baseAddress, chunk.count, &wants)
        return try outcome(result, wants: wants, "sending a response over TLS")
    }

    /// Sends close_notify and frees the TLS state; the socket must still be open.
    func finish() {
        if let connection { ctls_connection_free(connection) }
        connection = nil
    }

    private func outcome(_ result: Int, wants: Int16, _ operation: String) throws(SystemError) -> Int? {
        switch result {
        case -1:
            blockedOn = wants
            return nil
        case ..<(-1):
            throw SystemError(operation: operation, errno: errno)
        default:
            blockedOn = nil
            return result
        }
    }
}
