@testable import ConntrackAggregation
import Glibc
import LinuxSystem
import Logging
import Synchronization
import Testing

/// `--table.source=auto` over windows of synthetic measurements: it switches both ways and
/// keeps its source when a switch fails.
@Suite final class TableSourceChooserTests: Sendable {
    private let totals = Mutex(TableSourceChooser.ListenerTotals(cpuNanoseconds: 0, newEvents: 0, destroyEvents: 0, updateEvents: 0))
    private let switches = Mutex<[TableSourceMode]>([])

    private func chooser(failing: Bool = false) -> TableSourceChooser {
        let dumps = DumpCost()
        // A million entries at 2.4 µs each: 2.4 s of CPU per dump.
        dumps.record(entries: 1_000_000, cpuNanoseconds: 2_400_000_000)
        return TableSourceChooser(policy: TableSourcePolicy(checkIntervalSeconds: 10), dumps: dumps,
                                  nowSeconds: 0, logger: Logger(label: "test"), listener: { [self] in totals.withLock { $0 } },
                                  switchTo: { [self] mode throws(SystemError) in
                                      if failing { throw SystemError(operation: "switching", errno: EPERM) }
                                      switches.withLock { $0.append(mode) }
                                  })
    }

    @Test func switchesToEventsOnAQuietTableAndBackUnderChurn() {
        let chooser = chooser()
        // A read a second for 10 s, no events: dumps cost 2.4 s a second, events a check dump per 10 s.
        for second in 1...9 { chooser.readFinished(nowSeconds: Double(second)) }
        #expect(chooser.mode == .dump && switches.withLock { $0 }.isEmpty, "no choice before the window ends")
        chooser.readFinished(nowSeconds: 10)
        #expect(chooser.mode == .events && switches.withLock { $0 } == [.events])
        #expect(chooser.estimate.map { $0.events < 0.5 * $0.dump } == true)
        // Then 10,000 connections a second, 8 events each at 10 µs: 0.8 s a second against 0.48 s of dumps.
        totals.withLock { $0 = .init(cpuNanoseconds: 8_000_000_000, newEvents: 100_000, destroyEvents: 100_000, updateEvents: 600_000) }
        chooser.readFinished(nowSeconds: 12)
        chooser.readFinished(nowSeconds: 20)
        #expect(chooser.mode == .dump && switches.withLock { $0 } == [.events, .dump])
    }

    @Test func aSwitchThatFailsKeepsTheSource() {
        let chooser = chooser(failing: true)
        for second in 1...10 { chooser.readFinished(nowSeconds: Double(second)) }
        #expect(chooser.mode == .dump)
    }
}
