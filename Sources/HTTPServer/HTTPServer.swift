import CLinux
import Glibc
import LinuxSystem
import Logging

/// A small HTTP/1.1 server on POSIX sockets: one thread runs a poll(2) loop over the
/// listening sockets and every connection, so slow or idle clients cost a descriptor,
/// never a thread. Handlers answer asynchronously from any thread.
///
/// Every connection has a deadline in every phase, so a client that stalls is dropped;
/// ``HTTPServerLimits`` bounds connections and the memory held for responses not yet sent.
/// A connection has one request in flight: the next pipelined one is read once the answer
/// is sent. A client that leaves while its request waits cancels the request's ``Responder``,
/// so work queued for it is dropped.
public final class HTTPServer {
    /// Answers a request through its responder, once, from any thread.
    public typealias Handler = @Sendable (HTTPRequest, Responder) -> Void
    public typealias Limits = HTTPServerLimits

    private let listeners: [ListeningSocket]
    private let limits: Limits
    private let logger: Logger
    private let handler: Handler
    private let transports: any TransportProvider
    private let mailbox: ResponseMailbox
    /// What the server turned away, for a collector.
    public let statistics: HTTPServerStatistics
    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextID: UInt64 = 0
    private var backoff = AcceptBackoff()

    /// `transports` decides, per connection, whether it uses TLS.
    public init(listeners: [ListeningSocket], limits: Limits = Limits(),
                transports: any TransportProvider = PlainTransportProvider(),
                statistics: HTTPServerStatistics = HTTPServerStatistics(), logger: Logger,
                handler: @escaping Handler) throws(SystemError) {
        self.statistics = statistics
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
        // Only the peer's FIN or RST, so that a client that leaves while its request waits
        // is seen; a pipelined next request stays unread until the answer is sent.
        case .awaitingResponse: connection.responder == nil || connection.halfClosedAfterRequest ? 0 : Int16(CLINUX_POLLRDHUP)
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
        case .awaitingResponse(let since): since + limits.handlerTimeout
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
            case .awaitingResponse:
                statistics.count(.handlerTimeout)
                connection.responder?.cancel()
                respond(connection, .retryLater(reason: "the request waited too long for its answer"), close: true)
            default:
                close(connection)
            }
        }
    }

    private func accept(from listener: ListeningSocket, now: ContinuousClock.Instant) {
        for _ in 0..<limits.acceptsPerTurn {
            var peer = sockaddr_storage()
            var length = UInt32(MemoryLayout<sockaddr_storage>.size)
            let fd = clinux_accept(listener.fd, &peer, &length)
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
            if connections.count >= limits.maxConnections { makeRoom(now: now) }
            // Head and body leave in one write; without this, a kept-alive client's next
            // small response would wait for its delayed ACK.
            try? FileDescriptor.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1, "setsockopt TCP_NODELAY")
            guard let transport = transports.transport(for: fd) else {
                FileDescriptor.close(fd)
                continue
            }
            nextID += 1
            connections[nextID] = HTTPConnection(id: nextID, fd: fd, group: ClientGroup(peer: peer), transport: transport, now: now)
        }
    }

    /// Makes room for a new connection, which always gets in: the client holding the most
    /// connections loses the one idle longest, else the one whose request head has taken
    /// longest (slowloris), else the one waiting longest for work of its own (answered `503`),
    /// else the one newest to arrive and still silent, else the one sending longest, else one
    /// riding on work under way. So a flood from one client never pushes out another's
    /// kept-alive scraper, a fresh scrape from the flooding address gets to send its request
    /// before the flood's reconnects push it out, and a scrape that joined a read outlasts
    /// the flood's own requests.
    private func makeRoom(now: ContinuousClock.Instant) {
        var held: [ClientGroup: Int] = [:]
        for connection in connections.values { held[connection.group, default: 0] += 1 }
        guard let busiest = held.max(by: { $0.value < $1.value })?.key else { return }
        let victims = connections.values.filter { $0.group == busiest }.map { connection in
            switch connection.phase {
            case .idle(let since): (rank: 0, since: since, connection: connection)
            case .readingHead(let since):
                (rank: connection.input.isEmpty && now - since < limits.firstRequestGrace ? 3 : 1, since: since, connection: connection)
            case .awaitingResponse(let since): (rank: connection.responder?.isShared == true ? 5 : 2, since: since, connection: connection)
            case .writing(let since): (rank: 4, since: since, connection: connection)
            }
        }
        guard let victim = victims.min(by: { ($0.rank, $0.since) < ($1.rank, $1.since) })?.connection else { return }
        statistics.count(.connectionLimit)
        logger.debug("connection limit reached: closing one of the busiest client's", metadata: ["connection": "\(victim.id)"])
        if case .awaitingResponse = victim.phase {
            victim.responder?.cancel()
            // A fresh socket's buffer takes a short answer whole; the connection goes either way.
            respond(victim, .retryLater(reason: "too many connections from this client"), close: true)
        }
        close(victim)
    }

    private func service(_ connection: HTTPConnection, revents: Int16, now: ContinuousClock.Instant) {
        do {
            switch connection.phase {
            case .idle, .readingHead:
                try connection.receive()
                process(connection, now: now)
            case .writing:
                try write(connection, now: now)
            case .awaitingResponse(let since):
                let reset = revents & Int16(POLLHUP | POLLERR) != 0
                if !reset, revents & Int16(CLINUX_POLLRDHUP) != 0, now - since < limits.halfCloseGrace {
                    connection.halfClosedAfterRequest = true
                } else if reset || revents & Int16(CLINUX_POLLRDHUP) != 0 {
                    statistics.count(.clientGone)
                    close(connection)
                }
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
            connection.phase = .awaitingResponse(since: now)
            if request.hasBody {
                // Bodies are never read, so the connection cannot be reused after this request.
                connection.input.removeAll()
            }
            let id = connection.id
            let responder = Responder { [mailbox] response in mailbox.post(response, to: id) }
            // A client that ended its side with the request (a half-close) still wants the
            // answer; one that leaves after sending it has gone, and cancels it.
            if !connection.peerClosed { connection.responder = responder }
            handler(request, responder)
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
        connection.responder = nil
        connection.halfClosedAfterRequest = false
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
