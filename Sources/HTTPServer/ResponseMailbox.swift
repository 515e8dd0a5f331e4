import LinuxSystem
import Synchronization

/// Where handlers on any thread leave responses for the server's poll loop, which the
/// eventfd wakes.
final class ResponseMailbox: Sendable {
    private let responses = Mutex<[(connection: UInt64, response: HTTPResponse)]>([])
    private let notifier: EventNotifier

    /// The descriptor the poll loop watches.
    var fd: Int32 { notifier.fd }

    init() throws(SystemError) {
        notifier = try EventNotifier()
    }

    func post(_ response: HTTPResponse, to connection: UInt64) {
        responses.withLock { $0.append((connection, response)) }
        notifier.notify()
    }

    /// Everything posted since the last call.
    func take() -> [(connection: UInt64, response: HTTPResponse)] {
        notifier.reset()
        return responses.withLock { responses in
            defer { responses.removeAll() }
            return responses
        }
    }
}
