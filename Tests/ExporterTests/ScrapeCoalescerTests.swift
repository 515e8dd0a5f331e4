@testable import Collectors
@testable import ConntrackAggregation
@testable import Exporter
@testable import HTTPServer
import Glibc
import Logging
import Synchronization
import TestFixtures
import Testing
@testable import Views

@Suite struct ScrapeCoalescerTests {
    private static func coalescer(_ table: any TableSource, maxAge: Duration = .seconds(5)) -> ScrapeCoalescer {
        var pacing = ScrapeCoalescer.Pacing()
        pacing.maxAge = maxAge
        return ScrapeCoalescer(scraper: Scraper(table: table, collectors: [.init("connection_states", ConnectionStateCollector())],
                                                logger: Logger(label: "test")), pacing: pacing)
    }

    /// Scrapes once and waits for the body.
    private static func scrape(_ coalescer: ScrapeCoalescer) {
        let done = Mutex(false)
        coalescer.scrape(gzip: true, responder: Responder { _ in }) { _ in done.withLock { $0 = true } }
        while !done.withLock({ $0 }) { usleep(200) }
    }

    @Test func aSecondScraperWithinTheMaximumAgeSharesTheRead() {
        let table = FixedTable()
        let coalescer = Self.coalescer(table)
        Self.scrape(coalescer)
        Self.scrape(coalescer)
        #expect(table.reads.withLock { $0 } == 1)
    }

    @Test func aLoopingClientKeepsTheTableReadAFractionOfTheTime() {
        let table = SlowTable(FixedTable(), delay: 0.02)
        let coalescer = Self.coalescer(table, maxAge: .zero)
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(1) { Self.scrape(coalescer) }
        // Each read takes 20 ms and the next starts 60 ms after it at the soonest.
        #expect(table.started.withLock { $0 } <= 18)
    }

    @Test func observersTogetherHoldABoundedNumberOfRows() {
        let table = SlowTable(FixedTable(), delay: 0.3)
        let coalescer = Self.coalescer(table)
        Self.scrape(coalescer)
        // The next read is paced 0.9 s away: observers wait for it, and their rows add up.
        var accepted = 0
        for _ in 0..<10 {
            let listing = ConnectionListing(ConnectionQuery())
            if coalescer.read(observer: listing, rows: 20_000, responder: Responder { _ in }, { _ in }) { accepted += 1 }
        }
        #expect(accepted == 2)
    }

    @Test func aReadTakesAtMostItsShareOfObserversInArrivalOrder() {
        let table = SlowTable(FixedTable(), delay: 0.1)
        var pacing = ScrapeCoalescer.Pacing()
        pacing.maxObserversPerRead = 2
        let coalescer = ScrapeCoalescer(scraper: Scraper(table: table, collectors: [], logger: Logger(label: "test")), pacing: pacing)
        // The views arrive while pacing holds the next read back 0.3 s, so they wait together.
        Self.scrape(coalescer)
        // Which read answered each view: the next cannot start before its answers are given.
        let answeredBy = Mutex<[Int: Int]>([:])
        for index in 0..<5 {
            #expect(coalescer.read(observer: ConnectionListing(ConnectionQuery()), rows: 2, responder: Responder { _ in }) { _ in
                let read = table.started.withLock { $0 }
                answeredBy.withLock { $0[index] = read }
            })
        }
        while answeredBy.withLock({ $0.count }) < 5 { usleep(1000) }
        #expect(answeredBy.withLock { $0 } == [0: 2, 1: 2, 2: 3, 3: 3, 4: 4])
    }

    @Test func aRequestWhoseClientLeftIsDroppedBeforeItsRead() {
        let table = SlowTable(FixedTable(), delay: 0.2)
        let coalescer = Self.coalescer(table)
        Self.scrape(coalescer)
        let responder = Responder { _ in }
        let answered = Mutex(false)
        #expect(coalescer.read(observer: ConnectionListing(ConnectionQuery()), rows: 200, responder: responder) { _ in
            answered.withLock { $0 = true }
        })
        responder.cancel()
        usleep(1_200_000)
        #expect(table.started.withLock { $0 } == 1, "no read for a request whose client left")
        #expect(!answered.withLock { $0 })
    }
}
