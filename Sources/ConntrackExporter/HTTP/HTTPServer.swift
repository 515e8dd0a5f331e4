import CLinux
import Glibc
import Logging

/// A small HTTP/1.1 server on POSIX sockets: one thread runs a poll(2) loop over the
/// listening sockets and every connection, so slow or idle clients cost a descriptor,
/// never a thread. Handlers answer asynchronously from any thread.
public final class HTTPServer {
    /// Answers a request by calling `respond` once, on any thread.
    public typealias Handler = @Sendable (HTTPRequest, _ respond: @escaping @Sendable (HTTPResponse) -> Void) -> Void

    public struct Limits: Sendable {
        /// How long a request head may take from its first byte.
        public var headTimeout: Duration = .seconds(10)
        /// How long a kept-alive connection may wait for its next request.
        public var idleTimeout: Duration = .seconds(300)
        /// Connections beyond this evict the longest-idle one, or are refused.
        public var maxConnections = 512

        public init() {}
    }

    private let listeners: [ListeningSocket]
    private let limits: Limits
    private let logger: Logger
    private let handler: Handler
    private let mailbox: ResponseMailbox
    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextID: UInt64 = 0

    public init(listeners: [ListeningSocket], limits: Limits = Limits(), logger: Logger,
                handler: @escaping Handler) throws(SystemError) {
        self.listeners = listeners
        self.limits = limits
        self.logger = logger
        self.handler = handler
        mailbox = try ResponseMailbox()
    }

    /// Serves until `stop` becomes readable (a signalfd or any descriptor), then returns.
    public func run(until stop: Int32) throws(SystemError) {
        let clock = ContinuousClock()
        while true {
            let order = connections.values.sorted { $0.id < $1.id }
            var fds = [pollfd(fd: stop, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: mailbox.fd, events: Int16(POLLIN), revents: 0)]
            fds += listeners.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            fds += order.map { pollfd(fd: $0.fd, events: events(for: $0), revents: 0) }

            let ready = poll(&fds, nfds_t(fds.count), pollTimeout(now: clock.now))
            if ready < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "waiting for connections (poll)", errno: errno)
            }
            if fds[0].revents != 0 { return }
            if fds[1].revents != 0 { deliverFinishedResponses() }
            for (index, listener) in listeners.enumerated() where fds[2 + index].revents != 0 {
                accept(from: listener, now: clock.now)
            }
            for (index, connection) in order.enumerated() {
                let revents = fds[2 + listeners.count + index].revents
                if revents != 0, connections[connection.id] != nil {
                    service(connection, revents: revents, now: clock.now)
                }
            }
            expire(now: clock.now)
        }
    }

    private func events(for connection: HTTPConnection) -> Int16 {
        switch connection.phase {
        case .idle, .readingHead: Int16(POLLIN)
        case .writing: Int16(POLLOUT)
        case .awaitingResponse: 0
        }
    }

    /// Milliseconds until the nearest deadline, at most one second.
    private func pollTimeout(now: ContinuousClock.Instant) -> Int32 {
        let nearest = connections.values.compactMap(deadline).min()
        guard let nearest else { return 1000 }
        let remaining = max(.zero, min(.seconds(1), nearest - now))
        return Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000) + 1
    }

    private func deadline(_ connection: HTTPConnection) -> ContinuousClock.Instant? {
        switch connection.phase {
        case .idle(let since): since + limits.idleTimeout
        case .readingHead(let since): since + limits.headTimeout
        case .awaitingResponse, .writing: nil
        }
    }

    private func expire(now: ContinuousClock.Instant) {
        for connection in connections.values {
            guard let deadline = deadline(connection), deadline <= now else { continue }
            if case .readingHead = connection.phase {
                logger.debug("request head timed out", metadata: ["connection": "\(connection.id)"])
                respond(connection, .error(.requestTimeout), close: true)
            } else {
                close(connection)
            }
        }
    }

    private func accept(from listener: ListeningSocket, now: ContinuousClock.Instant) {
        while true {
            let fd = clinux_accept(listener.fd)
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EAGAIN: return
                default:
                    // EMFILE and friends: log and let the backlog wait for a free descriptor.
                    logger.warning("accept failed", metadata: ["err": "\(SystemError(operation: "accept", errno: errno))"])
                    return
                }
            }
            if connections.count >= limits.maxConnections && !evictIdleConnection() {
                FileDescriptor.close(fd)
                continue
            }
            nextID += 1
            connections[nextID] = HTTPConnection(id: nextID, fd: fd, now: now)
        }
    }

    /// Closes the connection idle the longest; false if none is idle.
    private func evictIdleConnection() -> Bool {
        let oldest = connections.values.filter(\.isIdle).min { deadline($0)! < deadline($1)! }
        guard let oldest else { return false }
        close(oldest)
        return true
    }

    private func service(_ connection: HTTPConnection, revents: Int16, now: ContinuousClock.Instant) {
        do {
            switch connection.phase {
            case .idle, .readingHead:
                guard try connection.receive() else { return close(connection) }
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
        guard !connection.input.isEmpty else {
            connection.phase = .idle(since: now)
            return
        }
        switch HTTPRequestParser.parse(connection.input) {
        case .incomplete:
            if case .idle = connection.phase { connection.phase = .readingHead(since: now) }
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
        connection.queue(response, omitBody: connection.request?.method == "HEAD", close: close)
        connection.request = nil
        do {
            try write(connection, now: ContinuousClock.now)
        } catch {
            logger.debug("sending failed", metadata: ["connection": "\(connection.id)", "err": "\(error)"])
            self.close(connection)
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
