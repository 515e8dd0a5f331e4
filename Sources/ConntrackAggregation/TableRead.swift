import ConntrackKernel
import ConntrackModel

/// What one read of the conntrack table produced: the per-host counts and what the dumps held.
public struct TableRead: Sendable {
    public let table: ConnectionStateTable
    /// TCP entries the dumps returned, counted or not (ignored hosts, state NONE).
    public let tcpEntries: Int
    /// Entries of other protocols the dumps returned (none when the kernel filtered them).
    public let otherProtocolEntries: Int
    /// Translations the read found, when it was asked to look (see ``TableReader``).
    public var nat: NATCounts? = nil
    /// With a table kept from events: when the dump that the idle times, ages, traffic and NAT
    /// counts come from started (real-time nanoseconds); nil when the read is itself a dump.
    public var detailsNanoseconds: UInt64? = nil
    /// The event counters' traffic of closed connections when the dump started, per series: with
    /// the open connections' traffic the dump found, each connection counts once, by the dump or
    /// by its DESTROY, even when it closes during the dump.
    public var closedTraffic: [HostKey: Traffic] = [:]
}

extension TableRead {
    /// Builds a read entry by entry: each entry is classified once, counted, and offered
    /// to every observer.
    public struct Builder {
        private var table: ConnectionStateTable
        private let observers: [any ConnectionObserver]
        private var nat: NATCounts?
        private var tcpEntries = 0
        private var otherProtocolEntries = 0

        /// With `nat`, translated entries are counted there too.
        public init(table: ConnectionStateTable, observers: [any ConnectionObserver], nat: NATCounts? = nil) {
            self.table = table
            self.observers = observers
            self.nat = nat
        }

        public mutating func add(_ entry: ConntrackEntry) {
            if entry.isTCP { tcpEntries += 1 } else { otherProtocolEntries += 1 }
            let connection = table.add(entry)
            if nat != nil, entry.isSourceNAT || entry.isDestinationNAT { nat!.add(entry, counted: connection) }
            guard let connection else { return }
            for observer in observers { observer.observe(connection, entry: entry) }
        }

        public var read: TableRead {
            TableRead(table: table, tcpEntries: tcpEntries, otherProtocolEntries: otherProtocolEntries, nat: nat)
        }
    }
}
