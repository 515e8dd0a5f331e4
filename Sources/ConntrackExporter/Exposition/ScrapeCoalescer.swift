import Dispatch
import Synchronization

/// Shares table reads among concurrent scrapes. A scrape that arrives while a read is
/// running waits for the next read, so every answer reflects a read that started after
/// its request arrived, and any number of waiting scrapes cost one read.
public final class ScrapeCoalescer: @unchecked Sendable {
    public typealias Completion = @Sendable ([UInt8]) -> Void

    private struct State {
        var waiting: [Completion] = []
        var running = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "conntrack_exporter.scrape")
    // Only touched on `queue`, one scrape at a time: this is what makes the class Sendable.
    private let scraper: Scraper

    public init(scraper: Scraper) {
        self.scraper = scraper
    }

    /// Asks for a scrape; `completion` gets the exposition text on the scrape queue.
    public func scrape(_ completion: @escaping Completion) {
        let startsRead = state.withLock { state in
            state.waiting.append(completion)
            defer { state.running = true }
            return !state.running
        }
        if startsRead {
            queue.async { self.drain() }
        }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state in
                let batch = state.waiting
                state.waiting.removeAll()
                if batch.isEmpty { state.running = false }
                return batch
            }
            if batch.isEmpty { return }
            let body = scraper.scrape()
            for completion in batch { completion(body) }
        }
    }
}
