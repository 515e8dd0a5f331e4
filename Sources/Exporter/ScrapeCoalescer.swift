import ConntrackAggregation
import Dispatch
import Exposition
import HTTPServer
import LinuxSystem
import Synchronization

/// Shares table reads among scrapes and curl views, and paces them.
///
/// - A scrape or `/hosts` that arrives while a read runs joins it (the read was under way
///   when it arrived, as fresh as a dump gets: the kernel's dump is never a snapshot).
/// - One that arrives within ``Pacing/maxAge`` of the last read's start is answered from
///   that read: the same exposition, built once per format, gzipped once. So an HA pair of Prometheus
///   servers costs one dump.
/// - A read starts no sooner than ``Pacing/spacing`` times the last read's duration after
///   that read started. A scrape arriving sooner is answered from the last read (its data
///   is older, as `conntrack_exporter_table_read_timestamp_seconds` says); a view with an
///   observer (`/connections`) waits for the next read. So a client looping on any endpoint
///   keeps the table being read at most a fraction of the time.
/// - Observers (the rows a view selects) wait only for a read that sees every entry, and
///   hold memory: together they may hold at most ``Pacing/maxObservedRows``. Each costs the
///   read a pass over every entry, so a read takes at most ``Pacing/maxObserversPerRead``
///   of them, in arrival order; the others wait for the next reads. Scrapes joining a read
///   are answered before its views are rendered.
/// - A request whose client leaves is dropped before any read is spent on it.
public final class ScrapeCoalescer: @unchecked Sendable {
    /// One read's exposition in one format, and its gzip stream once a scrape asked for it.
    public struct Body: Sendable {
        public let format: ExpositionFormat
        public let plain: [UInt8]
        public let gzip: [UInt8]?
    }

    /// How reads are shared and spaced.
    public struct Pacing: Sendable {
        /// A scrape within this of the last read's start is answered from it.
        public var maxAge: Duration = .seconds(2)
        /// The next read starts no sooner than this many times the last read's duration
        /// after it started: reads run a quarter of the time at most.
        public var spacing = 4
        /// Rows every waiting observer may hold at most together.
        public var maxObservedRows = 50_000
        /// Observers one read takes at most: 520 of them made one read of 20,000 entries
        /// take 15 s (debug build, busy machine), and every scrape that joined it waited.
        public var maxObserversPerRead = 8

        public init() {}
    }

    public typealias Completion = @Sendable (Body) -> Void
    /// A view gets the read; its observer, when it gave one, has seen every entry of it.
    public typealias ReadCompletion = @Sendable (Result<TableRead, SystemError>) -> Void

    private enum Request {
        case scrape(format: ExpositionFormat, gzip: Bool, Completion)
        case read(observer: (any ConnectionObserver)?, ReadCompletion)

        var observer: (any ConnectionObserver)? { if case .read(let observer?, _) = self { observer } else { nil } }
        var isScrape: Bool { if case .scrape = self { true } else { false } }
    }

    private struct Waiter {
        let id: UInt64
        let request: Request
        /// Rows its observer may hold.
        let rows: Int
        /// Cancelled when its client leaves: then nothing more is done for it.
        let responder: Responder
    }

    /// The last read and what was built from it.
    private struct LastRead {
        let read: Result<TableRead, SystemError>
        let started: ContinuousClock.Instant
        let duration: Duration
        /// False for the read at start, which no one asked for: requests that come after it
        /// read anew, without waiting.
        var answersLaterRequests = true
        /// What was built from it, per format.
        var bodies: [ExpositionFormat: Body] = [:]
    }

    private struct State {
        var nextID: UInt64 = 0
        /// Joined the running read.
        var joined: [Waiter] = []
        /// Wait for the next read: views with observers, and everyone before the first read.
        var next: [Waiter] = []
        var running = false
        /// A read is scheduled for when pacing allows.
        var scheduled = false
        var last: LastRead?
        var nextStart = ContinuousClock.now

        var observedRows: Int { next.reduce(0) { $0 + $1.rows } }
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "conntrack_exporter.scrape")
    private let pacing: Pacing
    // Only touched on `queue`, one read at a time: this is what makes the class Sendable.
    private let scraper: Scraper

    public init(scraper: Scraper, pacing: Pacing = Pacing()) {
        self.scraper = scraper
        self.pacing = pacing
    }

    /// Reads the table and builds a scrape of it now, for no one: what collectors note at their
    /// first scrape (the traffic counters' baseline) is then taken at start, not when the first
    /// scraper comes. Requests arriving during it join it; those after it read anew.
    public func scrapeAtStart() {
        let starts = state.withLock { state in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if starts { queue.async { self.read(answeringLaterRequests: false) } }
    }

    /// Asks for a scrape in `format`, compressed too when `gzip`; `completion` runs on the scrape queue.
    public func scrape(format: ExpositionFormat = .text, gzip: Bool, responder: Responder, _ completion: @escaping Completion) {
        _ = enqueue(.scrape(format: format, gzip: gzip, completion), rows: 0, responder: responder)
    }

    /// Asks for a table read for a curl view, whose every counted connection `observer` sees
    /// when given (keeping at most `rows` rows); `completion` runs on the scrape queue. False,
    /// having done nothing, when the waiting observers already hold their share of memory.
    public func read(observer: (any ConnectionObserver)?, rows: Int = 0, responder: Responder,
                     _ completion: @escaping ReadCompletion) -> Bool {
        enqueue(.read(observer: observer, completion), rows: observer == nil ? 0 : rows, responder: responder)
    }

    private func enqueue(_ request: Request, rows: Int, responder: Responder) -> Bool {
        let now = ContinuousClock.now
        enum Decision { case full, waits, serveLast(Waiter), next }
        let (id, decision) = state.withLock { state -> (UInt64, Decision) in
            guard state.observedRows + rows <= pacing.maxObservedRows else { return (0, .full) }
            state.nextID += 1
            let waiter = Waiter(id: state.nextID, request: request, rows: rows, responder: responder)
            if request.observer == nil {
                if state.running {
                    responder.markShared()
                    state.joined.append(waiter)
                    return (waiter.id, .waits)
                }
                if let last = state.last, last.answersLaterRequests, now - last.started < pacing.maxAge || now < state.nextStart {
                    responder.markShared()
                    return (waiter.id, .serveLast(waiter))
                }
            }
            state.next.append(waiter)
            return (waiter.id, .next)
        }
        switch decision {
        case .full: return false
        case .waits: break
        case .serveLast(let waiter): queue.async { self.serveLast(waiter) }
        case .next: startReadWhenPaced()
        }
        responder.onCancel { [weak self] in self?.drop(id) }
        return true
    }

    /// Starts a read for those waiting, now or when pacing allows, unless one runs or is scheduled.
    private func startReadWhenPaced() {
        let now = ContinuousClock.now
        let delay = state.withLock { state -> Duration? in
            guard !state.running, !state.scheduled, !state.next.isEmpty else { return nil }
            if now >= state.nextStart {
                state.running = true
                return .zero
            }
            state.scheduled = true
            return state.nextStart - now
        }
        guard let delay else { return }
        if delay == .zero {
            queue.async { self.read() }
        } else {
            // Weak: a scheduled read is no reason to keep an exporter alive.
            queue.asyncAfter(deadline: .now() + delay.dispatchInterval) { [weak self] in
                self?.state.withLock { $0.scheduled = false }
                self?.startReadWhenPaced()
            }
        }
    }

    /// A request whose client left: forgotten, so no read is spent on it.
    private func drop(_ id: UInt64) {
        state.withLock { state in
            state.joined.removeAll { $0.id == id }
            state.next.removeAll { $0.id == id }
        }
    }

    private func read(answeringLaterRequests: Bool = true) {
        let start = ContinuousClock.now
        let batch = state.withLock { state in
            var observers = 0
            let (taken, left) = state.next.reduce(into: ([Waiter](), [Waiter]())) { split, waiter in
                if waiter.request.observer != nil {
                    guard observers < pacing.maxObserversPerRead else { return split.1.append(waiter) }
                    observers += 1
                }
                split.0.append(waiter)
            }
            state.next = left
            return taken
        }
        // The read is under way for them now: what a server makes room from last.
        for waiter in batch { waiter.responder.markShared() }
        let read = scraper.read(observers: batch.compactMap(\.request.observer))
        let finished = ContinuousClock.now
        let duration = finished - start
        var last = LastRead(read: read, started: start, duration: duration, answersLaterRequests: answeringLaterRequests)
        if !answeringLaterRequests { last.bodies[.text] = Body(format: .text, plain: scraper.exposition(of: read, readDuration: duration), gzip: nil) }
        let served = state.withLock { state in
            defer { state.joined = [] }
            state.last = last
            // The pause after each read is spacing - 1 times its own length: reads take 1 / spacing
            // of the time however their length varies.
            state.nextStart = answeringLaterRequests ? finished + duration * (pacing.spacing - 1) : finished
            state.running = false
            return batch + state.joined
        }
        complete(served, from: &last)
        keepBody(of: last)
        startReadWhenPaced()
    }

    /// Answers `waiter` from the last read (within the maximum age, or while pacing holds reads back).
    private func serveLast(_ waiter: Waiter) {
        guard var last = state.withLock({ $0.last }) else { return }
        complete([waiter], from: &last)
        keepBody(of: last)
    }

    /// Answers `waiters` from `last`, building its exposition and gzip stream once as needed.
    private func complete(_ waiters: [Waiter], from last: inout LastRead) {
        let scrapesFirst = waiters.filter(\.request.isScrape) + waiters.filter { !$0.request.isScrape }
        for waiter in scrapesFirst where !waiter.responder.isCancelled {
            switch waiter.request {
            case .scrape(let format, let gzip, let completion):
                var body = last.bodies[format]
                    ?? Body(format: format, plain: scraper.exposition(of: last.read, readDuration: last.duration, format: format), gzip: nil)
                if gzip && body.gzip == nil { body = Body(format: format, plain: body.plain, gzip: Gzip.compress(body.plain)) }
                last.bodies[format] = body
                completion(body)
            case .read(_, let completion):
                completion(last.read)
            }
        }
    }

    /// Keeps the bodies built for `last`, unless a newer read replaced it meanwhile.
    private func keepBody(of last: LastRead) {
        state.withLock { state in
            if state.last?.started == last.started { state.last?.bodies = last.bodies }
        }
    }
}

extension Duration {
    /// The duration as Dispatch takes it.
    fileprivate var dispatchInterval: DispatchTimeInterval {
        .nanoseconds(Int(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000))
    }
}
