import Glibc

/// One client connection of ``HTTPServer``: what it has received, what it still has
/// to send, and where it is in the request/response cycle.
final class HTTPConnection {
    enum Phase {
        /// Waiting for the first byte of a request since `since`.
        case idle(since: ContinuousClock.Instant)
        /// Part of a request head arrived; its first byte came at `since`.
        case readingHead(since: ContinuousClock.Instant)
        /// A request is with the handler.
        case awaitingResponse
        /// Sending a response.
        case writing
    }

    let id: UInt64
    let fd: Int32
    var phase: Phase
    var input: [UInt8] = []
    /// Chunks still to send, the first one from `outputOffset`.
    var output: [[UInt8]] = []
    var outputOffset = 0
    var closeAfterWrite = false
    /// The request being answered, for HEAD and keep-alive decisions.
    var request: HTTPRequest?

    init(id: UInt64, fd: Int32, now: ContinuousClock.Instant) {
        self.id = id
        self.fd = fd
        phase = .idle(since: now)
    }

    deinit {
        FileDescriptor.close(fd)
    }

    /// Whether nothing of a request has arrived since the last response.
    var isIdle: Bool {
        if case .idle = phase { return true }
        return false
    }

    /// Queues `response`; the body is left out for HEAD.
    func queue(_ response: HTTPResponse, omitBody: Bool, close: Bool) {
        closeAfterWrite = close
        output = [response.head(closing: close)]
        if !omitBody && !response.body.isEmpty { output.append(response.body) }
        outputOffset = 0
        phase = .writing
    }

    /// Sends what the socket takes. Returns true when everything queued was sent.
    func flush() throws(SystemError) -> Bool {
        while let chunk = output.first {
            let sent = try chunk.withUnsafeBytes { bytes in
                Result { () throws(SystemError) in
                    try FileDescriptor.send(fd, UnsafeRawBufferPointer(rebasing: bytes[outputOffset...]), "sending a response")
                }
            }.get()
            guard let sent else { return false }
            outputOffset += sent
            if outputOffset == chunk.count {
                output.removeFirst()
                outputOffset = 0
            }
        }
        return true
    }

    /// Reads what is available into `input`. Returns false at end of stream.
    func receive() throws(SystemError) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try chunk.withUnsafeMutableBytes { bytes in
                Result { () throws(SystemError) in try FileDescriptor.read(fd, into: bytes, "reading a request") }
            }.get()
            guard let count else { return true }
            if count == 0 { return false }
            input.append(contentsOf: chunk[..<count])
            // Never buffer more than a head can be: the parser answers 431 beyond it.
            if input.count > HTTPRequestParser.maxHeadSize + 4 { return true }
        }
    }
}
