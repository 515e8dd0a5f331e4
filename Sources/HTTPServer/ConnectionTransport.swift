import Glibc
import LinuxSystem

/// How a connection's bytes cross the wire: in the clear, or through TLS. Both are
/// non-blocking; when an operation would block, ``blockedOn`` says which poll(2) event
/// lets it continue (TLS may need to write while reading, or read while writing).
public protocol ConnectionTransport: AnyObject {
    /// Reads what is available.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> TransportRead
    /// Writes as much of `chunks`, in order, as the socket takes; nil when nothing could be written.
    func write(_ chunks: [UnsafeRawBufferPointer]) throws(SystemError) -> Int?
    /// The poll event the last blocked operation waits for; nil when none blocked.
    var blockedOn: Int16? { get }
    /// Whether bytes already decrypted are waiting, so poll(2) would not report them.
    var hasBufferedInput: Bool { get }
    /// Ends the session's own framing (TLS close_notify) before the socket closes.
    func finish()
}

public enum TransportRead: Equatable {
    case bytes(Int)
    case wouldBlock
    case endOfStream
}

/// A TCP socket used as it is.
public final class PlainTransport: ConnectionTransport {
    let fd: Int32
    public private(set) var blockedOn: Int16?

    public init(fd: Int32) {
        self.fd = fd
    }

    public var hasBufferedInput: Bool { false }

    public func finish() {}

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> TransportRead {
        guard let count = try FileDescriptor.read(fd, into: buffer, "reading a request") else {
            blockedOn = Int16(POLLIN)
            return .wouldBlock
        }
        blockedOn = nil
        return count == 0 ? .endOfStream : .bytes(count)
    }

    public func write(_ chunks: [UnsafeRawBufferPointer]) throws(SystemError) -> Int? {
        let sent = try FileDescriptor.send(fd, chunks, "sending a response")
        blockedOn = sent == nil ? Int16(POLLOUT) : nil
        return sent
    }
}
