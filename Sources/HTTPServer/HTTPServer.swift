import CLinux
import Glibc
import LinuxSystem
import Logging

/// A small HTTP/1.1 server on POSIX sockets: one thread runs a poll(2) loop over the
/// listening sockets and every connection, so slow or idle clients cost a descriptor,
/// never a thread. Handlers answer asynchronously from any thread.
///
/// Every connection has a deadline in every phase but one (while its handler works), so
/// a client that stalls is dropped; ``HTTPServerLimits`` bounds connections and the
/// memory held for responses not yet sent.
public final class HTTPServer {
    /// Answers a request by calling `respond` once, on any thread.
    public typealias Handler = @Sendable (HTTPRequest, _ respond: @escaping @Sendable (HTTPResponse) -> Void) -> Void
    public typealias Limits = HTTPServerLimits

    private let listeners: [ListeningSocket]
    private let limits: Limits
    private let logger: Logger
    private let handler: Handler
    private let transports: any TransportProvider
    private let mailbox: ResponseMailbox
    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextID: UInt64 = 0
    private var backoff = AcceptBackoff()

    /// `transports` decides, per connection, whether it uses TLS.
    public init(listeners: [ListeningSocket], limits: Limits = Limits(),
                transports: any TransportProvider = PlainTransportProvider(), logger: Logger,
                handler: @escaping Handler) throws(SystemError) {
        self.listeners = listeners
        self.transports = transports
        self.limits = limits
        self.logger = logger
        self.handler = handler
        mailbox = try ResponseMailbox()
    }

    /// Serves until `control` becomes readable (a signalfd, or any descriptor) and
    /// `keepServing` then returns false.
    public func run(until control: Int32, keepServing: () -> Bool = { false }) throws(SystemError) {
        let clock = ContinuousClock()
        while true {
            let now = clock.now
            let order = connections.values.sorted { $0.id < $1.id }
            let accepting = backoff.isAccepting(now: now)
            var fds = [pollfd(fd: control, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: mailbox.fd, events: Int16(POLLIN), revents: 0)]
            fds += listeners.map { pollfd(fd: $0.fd, events: accepting ? Int16(POLLIN) : 0, revents: 0) }
            fds += order.map { pollfd(fd: $0.fd, events: events(for: $0), revents: 0) }
            let buffered = Set(order.filter(hasUnreadInput).map(\.id))

            let ready = poll(&fds, nfds_t(fds.count), buffered.isEmpty ? pollTimeout(now: now) : 0)
            if ready < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "waiting for connections (poll)", errno: errno)
            }
            if fds[0].revents != 0 && !keepServing() { return }
            if fds[1].revents != 0 { deliverFinishedResponses() }
            for (index, listener) in listeners.enumerated() where fds[2 + index].revents != 0 {
                accept(from: listener, now: clock.now)
            }
            for (index, connection) in order.enumerated() {
                let revents = fds[2 + listeners.count + index].revents
                if revents != 0 || buffered.contains(connection.id), connections[connection.id] != nil {
                    service(connection, revents: revents, now: clock.now)
                }
            }
            expire(now: clock.now)
        }
    }

    private func events(for connection: HTTPConnection) -> Int16 {
        switch connection.phase {
        case .idle, .readingHead: connection.peerClosed ? 0 : connection.transport.blockedOn ?? Int16(POLLIN)
        case .writing: connection.transport.blockedOn ?? Int16(POLLOUT)
        case .awaitingResponse: 0
        }
    }

    /// Decrypted bytes poll(2) cannot see, waiting for a connection that reads.
    private func hasUnreadInput(_ connection: HTTPConnection) -> Bool {
        switch connection.phase {
        case .idle, .readingHead: connection.transport.hasBufferedInput && connection.input.count <= HTTPRequestParser.maxHeadSize
        case .awaitingResponse, .writing: false
        }
    }

    /// Milliseconds until the nearest deadline, at most one second.
    private func pollTimeout(now: ContinuousClock.Instant) -> Int32 {
        var nearest = connections.values.compactMap(deadline).min()
        if let resume = backoff.resumeAt { nearest = min(nearest ?? resume, resume) }
        guard let nearest else { return 1000 }
        let remaining = max(.zero, min(.seconds(1), nearest - now))
        return Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000) + 1
    }

    private func deadline(_ connection: HTTPConnection) -> ContinuousClock.Instant? {
        switch connection.phase {
        case .readingHead(let since): since + limits.headTimeout
        case .idle(let since): since + limits.idleTimeout
        case .writing(let since): since + limits.writeTimeout
        case .awaitingResponse: nil
        }
    }

    private func expire(now: ContinuousClock.Instant) {
        for connection in connections.values {
            guard let deadline = deadline(connection), deadline <= now else { continue }
            switch connection.phase {
            case .readingHead where !connection.input.isEmpty:
                logger.debug("request head timed out", metadata: ["connection": "\(connection.id)"])
                respond(connection, .error(.requestTimeout), close: true)
            case .writing:
                logger.debug("response not drained in time", metadata: ["connection": "\(connection.id)"])
                close(connection)
            default:
                close(connection)
            }
        }
    }

    private func accept(from listener: ListeningSocket, now: ContinuousClock.Instant) {
        for _ in 0..<limits.acceptsPerTurn {
            let fd = clinux_accept(listener.fd)
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EAGAIN: return
                default:
                    // EMFILE and friends: the connection waits in the backlog while we back off.
                    backoff.failed(SystemError(operation: "accept", errno: errno), now: now, logger: logger)
                    return
                }
            }
            backoff.succeeded()
            if connections.count >= limits.maxConnections && !evictForNewConnection() {
                FileDescriptor.close(fd)
                continue
            }
            // Head and body leave in one write; without this, a kept-alive client's next
            // small response would wait for its delayed ACK.
            try? FileDescriptor.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1, "setsockopt TCP_NODELAY")
            guard let transport = transports.transport(for: fd) else {
                FileDescriptor.close(fd)
                continue
            }
            nextID += 1
            connections[nextID] = HTTPConnection(id: nextID, fd: fd, transport: transport, now: now)
        }
    }

    /// Makes room for a new connection: closes the one idle the longest, else the one whose
    /// request head has taken longest (slowloris), else the one that has been sending its
    /// response longest (a client that does not read). False if every one waits for its handler.
    private func evictForNewConnection() -> Bool {
        let victims = connections.values.compactMap { connection -> (rank: Int, since: ContinuousClock.Instant, HTTPConnection)? in
            switch connection.phase {
            case .idle(let since): (0, since, connection)
            case .readingHead(let since): (1, since, connection)
            case .writing(let since): (2, since, connection)
            case .awaitingResponse: nil
            }
        }
        guard let victim = victims.min(by: { ($0.rank, $0.since) < ($1.rank, $1.since) }) else { return false }
        logger.debug("connection limit reached: closing one", metadata: ["connection": "\(victim.2.id)"])
        close(victim.2)
        return true
    }

    private func service(_ connection: HTTPConnection, revents: Int16, now: ContinuousClock.Instant) {
        do {
            switch connection.phase {
            case .idle, .readingHead:
                try connection.receive()
                process(connection, now: now)
            case .writing:
                try write(connection, now: now)
            case .awaitingResponse:
                if revents & Int16(POLLHUP | POLLERR) != 0 { close(connection) }
            }
        } catch {
            logger.debug("connection failed", metadata: ["connection": "\(connection.id)", "err": "\(error)"])
            close(connection)
        }
    }

    /// Parses a request from the buffered input, if a whole head is there, and hands it on.
    private func process(_ connection: HTTPConnection, now: ContinuousClock.Instant) {
        switch HTTPRequestParser.parse(connection.input) {
        case .incomplete:
            // A client that ended its side without a whole request can never send one.
            if connection.peerClosed { return close(connection) }
            if case .idle = connection.phase, !connection.input.isEmpty { connection.phase = .readingHead(since: now) }
        case .failure(let status):
            respond(connection, .error(status), close: true)
        case .request(let request, let length):
            connection.input.removeFirst(length)
            connection.request = request
            connection.phase = .awaitingResponse
            if request.hasBody {
                // Bodies are never read, so the connection cannot be reused after this request.
                connection.input.removeAll()
            }
            let id = connection.id
            handler(request) { [mailbox] response in mailbox.post(response, to: id) }
        }
    }

    private func deliverFinishedResponses() {
        for (id, response) in mailbox.take() {
            guard let connection = connections[id], let request = connection.request else { continue }
            respond(connection, response, close: !request.keepAlive || request.hasBody)
        }
    }

    private func respond(_ connection: HTTPConnection, _ response: HTTPResponse, close: Bool) {
        let now = ContinuousClock.now
        connection.queue(response, omitBody: connection.request?.method == "HEAD", close: close, now: now)
        connection.request = nil
        boundPendingResponses(sparing: connection)
        do {
            try write(connection, now: now)
        } catch {
            logger.debug("sending failed", metadata: ["connection": "\(connection.id)", "err": "\(error)"])
            self.close(connection)
        }
    }

    /// Closes the connections that have been sending longest while the bodies not yet
    /// sent take more than the limit; `newest` is always sent.
    private func boundPendingResponses(sparing newest: HTTPConnection) {
        func pendingBytes() -> Int {
            var seen = Set<UnsafeRawPointer>()
            return connections.values.reduce(0) { total, connection in
                guard let body = connection.pendingBody, seen.insert(body.identity).inserted else { return total }
                return total + body.bytes
            }
        }
        guard pendingBytes() > limits.maxPendingResponseBytes else { return }
        let senders = connections.values.compactMap { connection -> (HTTPConnection, ContinuousClock.Instant)? in
            guard connection !== newest, case .writing(let since) = connection.phase else { return nil }
            return (connection, since)
        }.sorted { $0.1 < $1.1 }
        for (connection, _) in senders where pendingBytes() > limits.maxPendingResponseBytes {
            logger.debug("closing a slow reader: unsent responses over the memory bound",
                         metadata: ["connection": "\(connection.id)"])
            close(connection)
        }
    }

    private func write(_ connection: HTTPConnection, now: ContinuousClock.Instant) throws(SystemError) {
        guard try connection.flush() else { return }
        if connection.closeAfterWrite { return close(connection) }
        // A pipelined request may already be buffered.
        connection.phase = .idle(since: now)
        process(connection, now: now)
    }

    private func close(_ connection: HTTPConnection) {
        connections[connection.id] = nil
    }
}
