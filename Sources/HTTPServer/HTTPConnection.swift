import Glibc
import LinuxSystem

/// One client connection of ``HTTPServer``: what it has received, what it still has
/// to send, and where it is in the request/response cycle.
final class HTTPConnection {
    enum Phase {
        /// Waiting for a request head to complete; the wait began at `since` (the accept,
        /// or the first byte of a request on a kept-alive connection).
        case readingHead(since: ContinuousClock.Instant)
        /// Kept alive after a response, nothing of the next request yet.
        case idle(since: ContinuousClock.Instant)
        /// A request is with the handler since `since`.
        case awaitingResponse(since: ContinuousClock.Instant)
        /// Sending a response queued at `since`.
        case writing(since: ContinuousClock.Instant)
    }

    let id: UInt64
    let fd: Int32
    /// Who the client counts as when the server makes room.
    let group: ClientGroup
    let transport: any ConnectionTransport
    var phase: Phase
    var input: [UInt8] = []
    /// The client has shut its sending side: answer what it sent, then close.
    private(set) var peerClosed = false
    var closeAfterWrite = false
    /// The request being answered, for HEAD and keep-alive decisions.
    var request: HTTPRequest?
    /// Its way back, cancelled if the client leaves first.
    var responder: Responder?
    /// The client shut its side just after its request (a half-close): it still wants the answer.
    var halfClosedAfterRequest = false
    private var head: [UInt8] = []
    /// Shared with every connection that answers from the same read, never copied.
    private var body: [UInt8] = []
    private var sent = 0

    init(id: UInt64, fd: Int32, group: ClientGroup, transport: any ConnectionTransport, now: ContinuousClock.Instant) {
        self.id = id
        self.fd = fd
        self.group = group
        self.transport = transport
        phase = .readingHead(since: now)
    }

    deinit {
        responder?.cancel()
        transport.finish()
        FileDescriptor.close(fd)
    }

    /// Whether nothing of a request has arrived since the last response.
    var isIdle: Bool {
        if case .idle = phase { return true }
        return false
    }

    /// The body's storage while it is unsent, to count memory shared by several connections once.
    var pendingBody: (identity: UnsafeRawPointer, bytes: Int)? {
        guard case .writing = phase, !body.isEmpty else { return nil }
        return body.withUnsafeBytes { ($0.baseAddress!, $0.count) }
    }

    /// Queues `response`; the body is left out for HEAD.
    func queue(_ response: HTTPResponse, omitBody: Bool, close: Bool, now: ContinuousClock.Instant) {
        closeAfterWrite = close || peerClosed
        head = response.head(closing: closeAfterWrite)
        body = omitBody ? [] : response.body
        sent = 0
        phase = .writing(since: now)
    }

    /// Sends what the socket takes. Returns true when everything queued was sent.
    func flush() throws(SystemError) -> Bool {
        var failure: SystemError?
        while sent < head.count + body.count {
            let written = head.withUnsafeBytes { head in
                body.withUnsafeBytes { body in
                    let chunks = sent < head.count
                        ? [UnsafeRawBufferPointer(rebasing: head[sent...]), body]
                        : [UnsafeRawBufferPointer(rebasing: body[(sent - head.count)...])]
                    do throws(SystemError) { return try transport.write(chunks) } catch { failure = error; return nil }
                }
            }
            if let failure { throw failure }
            guard let written else { return false }
            sent += written
        }
        head = []
        body = []
        return true
    }

    /// Reads what is available into `input`, never much more than a request head can be.
    func receive() throws(SystemError) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        var failure: SystemError?
        while !peerClosed && input.count <= HTTPRequestParser.maxHeadSize {
            let result = chunk.withUnsafeMutableBytes { bytes in
                do throws(SystemError) { return try transport.read(into: bytes) } catch { failure = error; return .wouldBlock }
            }
            if let failure { throw failure }
            switch result {
            case .wouldBlock: return
            case .endOfStream: peerClosed = true
            case .bytes(let count): input.append(contentsOf: chunk[..<count])
            }
        }
    }
}
