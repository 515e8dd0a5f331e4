import Dispatch
import Synchronization

/// Shares table reads among concurrent scrapes and curl views. A request that arrives
/// while a read is running joins the next one with every other request that arrived
/// meanwhile, or joins a running read when it needs nothing that read is not producing:
/// that read was under way when the request arrived, which is as fresh as a dump gets
/// (the kernel's dump is never an atomic snapshot). So any number of concurrent scrapes
/// cost one read and at most one compression, and a view costs a scrape no more than the
/// read they share.
public final class ScrapeCoalescer: @unchecked Sendable {
    /// One read's exposition text, and its gzip stream when a waiting scrape asked for it.
    public struct Body: Sendable {
        public let plain: [UInt8]
        public let gzip: [UInt8]?
    }

    public typealias Completion = @Sendable (Body) -> Void
    /// A view gets the read, and the listing of its query when it gave one.
    public typealias ViewCompletion = @Sendable (Result<TableRead, SystemError>, ConnectionListing?) -> Void

    private enum Waiter {
        case scrape(gzip: Bool, Completion)
        case view(ConnectionQuery?, ViewCompletion)
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

    /// Asks for a table read for a curl view, selecting connections when `query` is given;
    /// `completion` runs on the scrape queue.
    public func view(query: ConnectionQuery?, _ completion: @escaping ViewCompletion) {
        enqueue(.view(query, completion))
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
        let batch = state.withLock { $0.waiting }
        let queries = batch.compactMap { if case .view(let query?, _) = $0 { query } else { nil } }
        let wantsExposition = batch.contains { if case .scrape = $0 { true } else { false } }
        let result = scraper.scrape(queries: queries, exposition: wantsExposition)
        // Whoever arrived during the read shares it when it produced what they need; a view
        // with a query of its own, or a scrape after a views-only read, starts the next one.
        let (served, readsAgain) = state.withLock { state in
            var served: [Waiter] = []
            var next: [Waiter] = []
            for (index, waiter) in state.waiting.enumerated() {
                let shares = switch waiter {
                case .scrape: wantsExposition
                case .view(let query, _): query == nil
                }
                if index < batch.count || shares { served.append(waiter) } else { next.append(waiter) }
            }
            state.waiting = next
            state.running = !next.isEmpty
            return (served, state.running)
        }
        if readsAgain { queue.async { self.read() } }
        complete(served, with: result)
    }

    private func complete(_ served: [Waiter], with result: Scraper.Result) {
        let gzip = served.contains { if case .scrape(true, _) = $0 { true } else { false } }
        let body = result.exposition.map { Body(plain: $0, gzip: gzip ? Gzip.compress($0) : nil) }
        // The batch's queries come first in `served`, in order, as do their listings.
        var listings = ((try? result.read.get())?.listings ?? [])[...]
        for waiter in served {
            switch waiter {
            case .scrape(_, let completion):
                if let body { completion(body) }
            case .view(let query, let completion):
                completion(result.read, query == nil ? nil : listings.popFirst())
            }
        }
    }
}
