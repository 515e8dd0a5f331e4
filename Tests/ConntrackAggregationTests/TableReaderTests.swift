@testable import ConntrackAggregation
@testable import ConntrackKernel
@testable import ConntrackModel
import Glibc
@testable import LinuxSystem
import Logging
import TestFixtures
import Testing

/// How the reader chooses between the whole dump and the TCP-filtered ones, and how it
/// falls back when a kernel refuses or ignores the filter.
struct TableReaderTests {
    @Test func filteredReadsCountWhatTheWholeDumpCounts() throws {
        let dumper = try RecordedDumper(kernel: .filters)
        let reader = makeReader(dumper)
        let whole = try reader.read()
        let filtered = try reader.read()
        #expect(dumper.calls == [.whole, .tcp(.v4), .tcp(.v6)])
        #expect(whole.otherProtocolEntries == 1 && filtered.otherProtocolEntries == 0)
        #expect(whole.tcpEntries == 2 && filtered.tcpEntries == 2)
        #expect(filtered.table.counts == whole.table.counts)
        #expect(!whole.table.counts.isEmpty)
    }

    /// Refused: the read that noticed dumps again, whole. Ignored: the filtered dumps already
    /// counted right (other protocols are skipped). Either way, whole dumps from then on.
    @Test(arguments: [
        (RecordedDumper.Kernel.refusesFilter, [RecordedDumper.Call.whole, .tcp(.v4), .whole, .whole]),
        (.ignoresFilter, [.whole, .tcp(.v4), .tcp(.v6), .whole]),
    ])
    func aKernelWithoutTheFilterIsDumpedWholeFromThenOn(kernel: RecordedDumper.Kernel, calls: [RecordedDumper.Call]) throws {
        let dumper = try RecordedDumper(kernel: kernel)
        let reader = makeReader(dumper)
        let first = try reader.read()
        let second = try reader.read()
        _ = try reader.read()
        #expect(dumper.calls == calls)
        #expect(second.table.counts == first.table.counts)
    }

    @Test func otherFailuresOfAFilteredDumpAreReportedNotHidden() throws {
        let dumper = try RecordedDumper(kernel: .failsFilteredWith(EPERM))
        let reader = makeReader(dumper)
        _ = try reader.read()
        #expect(throws: SystemError.self) { try reader.read() }
        #expect(dumper.calls == [.whole, .tcp(.v4)])
    }

    private func makeReader(_ dumper: RecordedDumper) -> TableReader {
        TableReader(dumper: dumper, ignore: IgnoreList(), mode: .endpoint, idleThreshold: 0,
                    logger: Logger(label: "test"))
    }
}

/// Serves ``RecordedDump`` (two TCP entries, one IPv4 and one IPv6, and one UDP) as a kernel
/// with or without the TCP dump filter would, recording the dumps asked for.
final class RecordedDumper: TableDumping {
    enum Kernel: Sendable {
        case filters, refusesFilter, ignoresFilter
        case failsFilteredWith(Int32)
    }

    enum Call: Equatable, Sendable {
        case whole
        case tcp(IPAddress.Family)
    }

    let kernel: Kernel
    let entries: [ConntrackEntry]
    private(set) var calls: [Call] = []

    init(kernel: Kernel) throws {
        self.kernel = kernel
        var entries: [ConntrackEntry] = []
        try ConntrackMessages.parse(RecordedDump.bytes, asEvents: false) { entries.append($0) }
        self.entries = entries
    }

    func dump(family: IPAddress.Family?, tcpOnly: Bool, _ body: (ConntrackEntry) -> Void) throws(SystemError) {
        guard tcpOnly, let family else {
            calls.append(.whole)
            entries.forEach(body)
            return
        }
        calls.append(.tcp(family))
        switch kernel {
        case .filters: entries.filter { $0.family == family && $0.isTCP }.forEach(body)
        case .ignoresFilter: entries.filter { $0.family == family }.forEach(body)
        case .refusesFilter: throw SystemError(operation: "dumping", errno: EOPNOTSUPP)
        case .failsFilteredWith(let code): throw SystemError(operation: "dumping", errno: code)
        }
    }
}
