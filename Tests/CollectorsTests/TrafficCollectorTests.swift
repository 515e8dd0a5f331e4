@testable import Collectors
@testable import ConntrackAggregation
@testable import ConntrackKernel
@testable import ConntrackModel
@testable import Exposition
import Logging
import TestFixtures
import Testing

@Suite struct TrafficCollectorTests {
    /// One connection of the model: its host's address, and its counts so far.
    struct Connection {
        let id: Int
        let host: String
        var original: (packets: UInt64, bytes: UInt64)
        var reply: (packets: UInt64, bytes: UInt64)
    }

    /// A collector over a store, with a fixed accounting setting.
    private static func collector(_ store: LifecycleStore) -> TrafficCollector {
        TrafficCollector(store: store, logger: Logger(label: "test"), loggedAccounting: true, accountingEnabled: { true })
    }

    private static func entry(_ connection: Connection, message: ConntrackEntry.Message = .dump) -> ConntrackEntry {
        makeEntry(from: "127.0.0.1", UInt16(40000 + connection.id), to: connection.host, 443, message: message,
                  counters: (connection.original, connection.reply))
    }

    /// A scrape: the read's start, the table of `open` (minus any closing during the read), the collector.
    private static func scrape(_ collector: TrafficCollector, _ store: LifecycleStore, open: [Connection],
                               closingDuringRead: () -> Void = {}) throws -> [String: UInt64] {
        let closed = store.withCounters { $0.closedTraffic }
        var table = makeTable(local: ["127.0.0.1"])
        for connection in open { table.add(entry(connection)) }
        closingDuringRead()
        var writer = ExpositionWriter()
        var read = TableRead(table: table, tcpEntries: open.count, otherProtocolEntries: 0)
        read.closedTraffic = closed
        try collector.collect(ScrapeContext(table: .success(read)), into: &writer)
        var values: [String: UInt64] = [:]
        for line in String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("conntrack_traffic_") {
            let parts = line.split(separator: " ")
            values[String(parts[0])] = UInt64(parts[1])
        }
        return values
    }

    private static func close(_ connection: Connection, in store: LifecycleStore, at now: Int64) {
        let entry = entry(connection, message: .destroy)
        let host = HostKey(RemoteEndpoint(address: IPAddress(connection.host)!, port: 443), mode: .endpoint)
        store.withCounters {
            $0.recordClosed(host, outcome: .graceful, durationSeconds: nil, traffic: Traffic(of: entry, direction: .outbound), at: now)
        }
    }

    private static func bytes(_ values: [String: UInt64], of host: String) -> UInt64 {
        let label = host.contains(":") ? "[\(host)]:443" : "\(host):443"
        return ["sent", "received"].reduce(0) { $0 + (values["conntrack_traffic_bytes_total{host=\"\(label)\",direction=\"\($1)\"}"] ?? 0) }
    }

    /// Every connection counts from the exporter's first read: what it carried before, and what
    /// closed before, are not counted, so a restarted exporter's series start at zero.
    @Test(arguments: 0..<20)
    func countersNeverGoDownAndCountWhatFlowedSinceTheFirstRead(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let store = LifecycleStore(LifecycleCounters())
        let collector = Self.collector(store)
        let hosts = ["198.18.0.1", "198.18.0.2", "2001:db8::3"]
        var open: [Connection] = []
        var nextID = 0
        var final: [String: UInt64] = [:]   // per host, bytes both ways, of every connection
        var baseline: [String: UInt64]?     // per host, what the first read had in sight
        var lostAny = false
        var shown: [String: UInt64] = [:]
        for step in 0..<200 {
            switch random.next() % 6 {
            case 0, 1:
                nextID += 1
                open.append(Connection(id: nextID, host: hosts[Int(random.next() % 3)], original: (1, 60), reply: (0, 0)))
            case 2:
                for index in open.indices {
                    open[index].original.packets += random.next() % 5
                    open[index].original.bytes += random.next() % 3000
                    open[index].reply.packets += random.next() % 5
                    open[index].reply.bytes += random.next() % 9000
                }
            case 3 where !open.isEmpty:
                let connection = open.remove(at: Int(random.next() % UInt64(open.count)))
                final[connection.host, default: 0] += connection.original.bytes + connection.reply.bytes
                // A DESTROY, or one lost (the entry expires and the event never comes).
                if random.next() % 4 == 0 { lostAny = true } else { Self.close(connection, in: store, at: Int64(step)) }
            default:
                // Sometimes a connection closes while the read runs: counted by the read or its DESTROY, not both.
                var closing: Connection?
                if !open.isEmpty, random.next() % 2 == 0 { closing = open.remove(at: Int(random.next() % UInt64(open.count))) }
                let values = try Self.scrape(collector, store, open: open + (closing.map { [$0] } ?? [])) {
                    if let closing { Self.close(closing, in: store, at: Int64(step)) }
                }
                if baseline == nil {
                    baseline = final
                    for connection in open + (closing.map { [$0] } ?? []) {
                        baseline![connection.host, default: 0] += connection.original.bytes + connection.reply.bytes
                    }
                    #expect(values.values.allSatisfy { $0 == 0 }, "a series starts at zero")
                }
                if let closing { final[closing.host, default: 0] += closing.original.bytes + closing.reply.bytes }
                for (series, value) in values { #expect(value >= shown[series] ?? 0, "\(series) went down at step \(step)") }
                shown.merge(values) { $1 }
            }
        }
        for connection in open {
            final[connection.host, default: 0] += connection.original.bytes + connection.reply.bytes
            Self.close(connection, in: store, at: 1000)
        }
        let values = try Self.scrape(collector, store, open: [])
        for (series, value) in values { #expect(value >= shown[series] ?? 0) }
        if !lostAny {
            for host in hosts {
                #expect(Self.bytes(values, of: host) == (final[host] ?? 0) - (baseline?[host] ?? 0), "\(host)")
            }
        }
    }

    /// A restart: connections that carried megabytes before the exporter started add nothing at
    /// its first read, then exactly what flows after it, and so does their close.
    @Test func aRestartCountsOnlyWhatFlowsAfterTheFirstRead() throws {
        let store = LifecycleStore(LifecycleCounters())
        let collector = Self.collector(store)
        var old = Connection(id: 1, host: "198.18.0.1", original: (10_000, 4_000_000), reply: (10_000, 10_000_000))
        let first = try Self.scrape(collector, store, open: [old])
        #expect(Self.bytes(first, of: "198.18.0.1") == 0)
        old.original.bytes += 1_000
        old.reply.bytes += 2_000
        #expect(Self.bytes(try Self.scrape(collector, store, open: [old]), of: "198.18.0.1") == 3_000)
        old.reply.bytes += 500
        Self.close(old, in: store, at: 10)
        let afterClose = try Self.scrape(collector, store, open: [])
        #expect(Self.bytes(afterClose, of: "198.18.0.1") == 3_500)
        #expect(store.withCounters { $0.trafficBaseline?.isEmpty } == true, "the baseline is folded once the connection is gone")
        let new = Connection(id: 2, host: "198.18.0.1", original: (3, 200), reply: (2, 100))
        #expect(Self.bytes(try Self.scrape(collector, store, open: [new]), of: "198.18.0.1") == 3_800)
    }

    @Test func accountingOffWritesNoTrafficSeries() throws {
        let store = LifecycleStore(LifecycleCounters())
        let collector = TrafficCollector(store: store, logger: Logger(label: "test"), loggedAccounting: false, accountingEnabled: { false })
        var writer = ExpositionWriter()
        let read = TableRead(table: makeTable(), tcpEntries: 0, otherProtocolEntries: 0)
        try collector.collect(ScrapeContext(table: .success(read)), into: &writer)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.contains("conntrack_accounting_enabled 0\n") && !text.contains("conntrack_traffic_"))
    }
}

/// A small deterministic generator (SplitMix64), so a failing seed can be replayed.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed &+ 0x9E37_79B9_7F4A_7C15
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
