import ConntrackAggregation
import Dispatch
import Exposition
import LinuxSystem
import Synchronization
import Views

/// Shares table reads among concurrent scrapes and curl views. A request that arrives
/// while a read is running joins it: that read was under way when the request arrived,
/// which is as fresh as a dump gets (the kernel's dump is never an atomic snapshot). The
/// exception is a read with an observer (`/connections`), which must see every entry as the
/// read counts it: it starts the next read. So any number of concurrent scrapes cost one read and at most
/// one compression, and a view never delays a scrape by more than the read they share.
public final class ScrapeCoalescer: @unchecked Sendable {
    /// One read's exposition text, and its gzip stream when a waiting scrape asked for it.
    public struct Body: Sendable {
        public let plain: [UInt8]
        public let gzip: [UInt8]?
    }

    public typealias Completion = @Sendable (Body) -> Void
    /// A view gets the read; its observer, when it gave one, has seen every entry of it.
    public typealias ReadCompletion = @Sendable (Result<TableRead, SystemError>) -> Void

    private enum Waiter {
        case scrape(gzip: Bool, Completion)
        case read(observer: (any ConnectionObserver)?, ReadCompletion)

        var isScrape: Bool { if case .scrape = self { true } else { false } }
        var observer: (any ConnectionObserver)? { if case .read(let observer?, _) = self { observer } else { nil } }
    }

    private struct State {
        var waiting: [Waiter] = []
        var running = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "conntrack_exporter.scrape")
    // Only touched on `queue`, one scrape at a time: this is what makes the class Sendable.
    private let scraper: Scraper

    public init(scraper: Scraper) {
        self.scraper = scraper
    }

    /// Asks for a scrape, compressed too when `gzip`; `completion` runs on the scrape queue.
    public func scrape(gzip: Bool, _ completion: @escaping Completion) {
        enqueue(.scrape(gzip: gzip, completion))
    }

    /// Asks for a table read for a curl view, whose every counted connection `observer`
    /// sees when given; `completion` runs on the scrape queue.
    public func read(observer: (any ConnectionObserver)?, _ completion: @escaping ReadCompletion) {
        enqueue(.read(observer: observer, completion))
    }

    private func enqueue(_ waiter: Waiter) {
        let startsRead = state.withLock { state in
            state.waiting.append(waiter)
            defer { state.running = true }
            return !state.running
        }
        if startsRead {
            queue.async { self.read() }
        }
    }

    private func read() {
        let start = ContinuousClock.now
        let batch = state.withLock { $0.waiting }
        let read = scraper.read(observers: batch.compactMap(\.observer))
        var exposition = batch.contains(where: \.isScrape) ? scraper.exposition(of: read, since: start) : nil
        // Whoever arrived meanwhile shares this read, except a view with an observer, which
        // did not see this read's entries: it starts the next one.
        let (served, readsAgain) = state.withLock { state in
            var served: [Waiter] = []
            var next: [Waiter] = []
            for (index, waiter) in state.waiting.enumerated() {
                if index < batch.count || waiter.observer == nil { served.append(waiter) } else { next.append(waiter) }
            }
            state.waiting = next
            state.running = !next.isEmpty
            return (served, state.running)
        }
        if readsAgain { queue.async { self.read() } }
        if exposition == nil, served.contains(where: \.isScrape) { exposition = scraper.exposition(of: read, since: start) }
        complete(served, read: read, exposition: exposition)
    }

    private func complete(_ served: [Waiter], read: Result<TableRead, SystemError>, exposition: [UInt8]?) {
        let gzip = served.contains { if case .scrape(true, _) = $0 { true } else { false } }
        let body = exposition.map { Body(plain: $0, gzip: gzip ? Gzip.compress($0) : nil) }
        for waiter in served {
            switch waiter {
            case .scrape(_, let completion):
                if let body { completion(body) }
            case .read(_, let completion):
                completion(read)
            }
        }
    }
}
