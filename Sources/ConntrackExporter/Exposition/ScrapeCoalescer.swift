import Dispatch
import Synchronization

/// Shares table reads among concurrent scrapes. A scrape that arrives while a read is
/// running joins it: that read was under way when the scrape arrived, which is as fresh
/// as a dump gets (the kernel's dump is never an atomic snapshot). So any number of
/// concurrent scrapes cost one read, and at most one compression.
public final class ScrapeCoalescer: @unchecked Sendable {
    /// One read's exposition text, and its gzip stream when a waiting scrape asked for it.
    public struct Body: Sendable {
        public let plain: [UInt8]
        public let gzip: [UInt8]?
    }

    public typealias Completion = @Sendable (Body) -> Void

    private struct State {
        var waiting: [(gzip: Bool, completion: Completion)] = []
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
        let startsRead = state.withLock { state in
            state.waiting.append((gzip, completion))
            defer { state.running = true }
            return !state.running
        }
        if startsRead {
            queue.async { self.read() }
        }
    }

    private func read() {
        let plain = scraper.scrape()
        // Whoever arrived during the read shares it; later arrivals start the next one.
        let waiting = state.withLock { state in
            defer {
                state.waiting.removeAll()
                state.running = false
            }
            return state.waiting
        }
        let body = Body(plain: plain, gzip: waiting.contains(where: \.gzip) ? Gzip.compress(plain) : nil)
        for waiter in waiting { waiter.completion(body) }
    }
}
