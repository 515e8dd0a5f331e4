import ConntrackAggregation
import ConntrackKernel
import ConntrackModel

/// One line of `GET /connections`. Rows order by idle time, then age, so the greatest
/// row is the one idle longest.
public struct ConnectionRow: Sendable, Comparable {
    /// An address and port as the view prints it.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public let address: IPAddress
        public let port: UInt16

        public var description: String { address.description(withPort: port) }
    }

    public let connection: TrackedConnection
    /// This machine's end (the client's for forwarded connections) and the far end.
    public let local: Endpoint
    public let remote: Endpoint
    /// For a destination-NATed connection, the backend actually reached (the reply's source).
    public let backend: Endpoint?
    /// For a source-NATed connection, the translated source (the reply's destination).
    public let translatedSource: Endpoint?

    init?(_ connection: TrackedConnection, entry: ConntrackEntry) {
        guard let tuple = entry.original else { return nil }
        let source = Endpoint(address: tuple.source, port: tuple.sourcePort)
        let destination = Endpoint(address: tuple.destination, port: tuple.destinationPort)
        self.connection = connection
        (local, remote) = connection.direction == .inbound ? (destination, source) : (source, destination)
        let reply = entry.isSourceNAT || entry.isDestinationNAT ? entry.reply : nil
        backend = entry.isDestinationNAT ? reply.map { Endpoint(address: $0.source, port: $0.sourcePort) } : nil
        translatedSource = entry.isSourceNAT ? reply.map { Endpoint(address: $0.destination, port: $0.destinationPort) } : nil
    }

    private var rank: (Int64, Int64, IPAddress.Family.RawValue, UInt64, UInt64, UInt16) {
        (connection.idleSeconds.map(Int64.init) ?? -1, connection.ageSeconds.map(Int64.init) ?? -1,
         remote.address.family.rawValue, remote.address.high, remote.address.low, local.port)
    }

    public static func < (lhs: ConnectionRow, rhs: ConnectionRow) -> Bool { lhs.rank < rhs.rank }
    public static func == (lhs: ConnectionRow, rhs: ConnectionRow) -> Bool { lhs.rank == rhs.rank }
}
