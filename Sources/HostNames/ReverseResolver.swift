import CResolver
import ConntrackModel
import Glibc
import LinuxSystem
import Logging
import Synchronization

/// Reverse DNS through c-ares, on a thread of its own, never in anyone's way: readers get what
/// the cache holds now (``name(of:)``), and ask for the rest (``want(_:)``), which is looked
/// up later, busiest first, bounded in concurrency and rate. A PTR name is used only if it is
/// a valid host name and, unless ``Settings/verifies`` is off, its A/AAAA records contain the
/// address (forward confirmation: whoever owns an address's reverse zone can write any name
/// there). Answers are cached within the TTL clamps; failures are cached too, with a backoff.
public final class ReverseResolver: Sendable {
    public struct Settings: Sendable {
        /// Lookups under way at most.
        public var concurrency = 8
        /// Lookups started per second at most (each is a PTR and, to confirm, an A/AAAA query).
        public var ratePerSecond = 20
        /// Bounds on how long an answer is kept, whatever its TTL says. c-ares reports no TTL
        /// for PTR records: a confirmed name is kept for its forward records' TTL.
        public var minimumTTL: Int64 = 60
        public var maximumTTL: Int64 = 3600
        /// Addresses remembered at most, named or not; the least recently wanted go first.
        public var cacheEntries = 10_000
        /// Forward-confirm PTR names; off uses any valid PTR name (unsafe: see the README).
        public var verifies = true
        /// How long one query waits for its server, and how many times it tries.
        public var timeoutMilliseconds: Int32 = 2000
        public var tries: Int32 = 2

        public init() {}
    }

    /// How a lookup ended, for `conntrack_exporter_name_lookups_total{result}`.
    public enum Result: String, Sendable, CaseIterable {
        case named
        /// NXDOMAIN or no PTR record.
        case notFound = "not_found"
        /// The forward records do not contain the address.
        case unconfirmed
        /// A PTR name that is no valid host name (counted by reason as well).
        case rejected
        case serverFailure = "server_failure"
        case timeout
        case error
    }

    /// What the resolver did, for its metrics.
    public struct Statistics: Sendable {
        public fileprivate(set) var lookups: [Result: UInt64] = [:]
        public fileprivate(set) var rejected: [HostNameSyntax.Rejection: UInt64] = [:]
        public fileprivate(set) var durations = Histogram(upperBounds: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10])
        public fileprivate(set) var cacheEntries = 0
        public fileprivate(set) var queued = 0
    }

    private struct Entry {
        var name: String?
        /// Monotonic seconds after which it is looked up again.
        var expires: Int64
        /// Failures in a row, for the backoff.
        var failures: Int
        var lastWanted: Int64
    }

    private struct State {
        var cache: [IPAddress: Entry] = [:]
        /// The latest addresses wanted and not known, the most wanted last (taken from the end).
        var queue: [IPAddress] = []
        var inFlight: Set<IPAddress> = []
        var statistics = Statistics()
    }

    private let settings: Settings
    private let state = Mutex(State())
    private let wake: EventNotifier
    private let logger: Logger

    /// Starts the resolver thread; `resolv.conf` is read now.
    public init(settings: Settings, logger: Logger) throws(SystemError) {
        self.settings = settings
        self.logger = logger
        wake = try EventNotifier()
        var error: Int32 = 0
        guard let resolver = cres_open(settings.timeoutMilliseconds, settings.tries, &error) else {
            throw SystemError(operation: "starting the resolver (c-ares error \(error))", errno: EINVAL)
        }
        let box = ResolverBox(resolver)
        try startDetachedThread(name: "ct-names") { [self] in run(box) }
    }

    /// The name of `address` known now; nil while unknown, being looked up, or without one.
    public func name(of address: IPAddress) -> String? {
        state.withLock { $0.cache[address]?.name }
    }

    /// Asks for names of `addresses`, the most wanted first: those not known, or known past
    /// their TTL, replace what was queued before (so the queue holds today's busiest hosts,
    /// not yesterday's), at most as many as the cache holds.
    public func want(_ addresses: [IPAddress]) {
        let now = MonotonicClock.seconds()
        let queued = state.withLock { state -> Bool in
            var queue: [IPAddress] = []
            var seen: Set<IPAddress> = []
            for address in addresses where seen.insert(address).inserted {
                if state.cache[address] != nil { state.cache[address]!.lastWanted = now }
                guard !state.inFlight.contains(address), (state.cache[address]?.expires ?? 0) <= now,
                      queue.count < settings.cacheEntries else { continue }
                queue.append(address)
            }
            state.queue = queue.reversed()
            state.statistics.queued = queue.count
            return !queue.isEmpty
        }
        if queued { wake.notify() }
    }

    public var statistics: Statistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.cacheEntries = state.cache.count
            return statistics
        }
    }

    // MARK: The resolver thread

    private func run(_ box: ResolverBox) {
        var inFlight = 0
        var tokens = Double(settings.ratePerSecond)
        var lastRefill = ContinuousClock.now
        var lastEviction = MonotonicClock.seconds()
        var fds = [pollfd](repeating: pollfd(), count: 17)
        while true {
            // Refill the rate limit, then start what it and the concurrency allow.
            let now = ContinuousClock.now
            tokens = min(Double(settings.ratePerSecond), tokens + (now - lastRefill).inSeconds * Double(settings.ratePerSecond))
            lastRefill = now
            while inFlight < settings.concurrency, tokens >= 1, let address = state.withLock({ state in
                state.queue.popLast().map { address in
                    state.inFlight.insert(address)
                    state.statistics.queued = state.queue.count
                    return address
                }
            }) {
                tokens -= 1
                inFlight += 1
                start(address, resolver: box.resolver) { inFlight -= 1 }
            }
            fds[0] = pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0)
            var timeout: Int32 = -1
            let count = Int(cres_poll_fds(box.resolver, &fds[1], 16, &timeout))
            let queued = state.withLock { !$0.queue.isEmpty }
            if queued && inFlight < settings.concurrency {
                // Waiting for the rate limit's next token.
                let untilToken = Int32(max(1, (1 - tokens) / Double(settings.ratePerSecond) * 1000))
                timeout = timeout < 0 ? untilToken : min(timeout, untilToken)
            }
            _ = poll(&fds, nfds_t(count + 1), timeout < 0 ? 60_000 : timeout)
            if fds[0].revents != 0 { wake.reset() }
            fds.withUnsafeBufferPointer { cres_process(box.resolver, $0.baseAddress! + 1, Int32(count)) }
            let seconds = MonotonicClock.seconds()
            if seconds - lastEviction >= 10 {
                evict(now: seconds)
                lastEviction = seconds
            }
        }
    }

    /// Looks `address` up: its PTR name, then (to confirm) that name's addresses.
    private func start(_ address: IPAddress, resolver: OpaquePointer, done: @escaping () -> Void) {
        let started = ContinuousClock.now
        let lookup = Lookup { [self] result, name, ttl in
            finish(address, result: result, name: name, ttl: ttl, seconds: (ContinuousClock.now - started).inSeconds)
            done()
        }
        let family: Int32 = address.family == .v4 ? AF_INET : AF_INET6
        lookup.resolver = resolver
        lookup.owner = self
        lookup.address = address
        lookup.verifies = settings.verifies
        address.networkBytes.withUnsafeBufferPointer { bytes in
            cres_lookup_name(resolver, bytes.baseAddress, family, { context, status, name in
                Unmanaged<Lookup>.fromOpaque(context!).takeRetainedValue().named(status: status, name: name)
            }, Unmanaged.passRetained(lookup).toOpaque())
        }
    }

    private func finish(_ address: IPAddress, result: Result, name: String?, ttl: Int64?, seconds: Double) {
        let now = MonotonicClock.seconds()
        state.withLock { state in
            state.inFlight.remove(address)
            state.statistics.lookups[result, default: 0] += 1
            state.statistics.durations.observe(seconds)
            var entry = state.cache[address] ?? Entry(name: nil, expires: 0, failures: 0, lastWanted: now)
            switch result {
            case .named:
                entry.name = name
                entry.failures = 0
                entry.expires = now + min(max(ttl ?? settings.minimumTTL, settings.minimumTTL), settings.maximumTTL)
            case .serverFailure, .timeout, .error:
                // The old name, if any, stays until an answer replaces it; retried with a backoff.
                entry.failures += 1
                entry.expires = now + min(settings.minimumTTL << min(entry.failures - 1, 16), settings.maximumTTL)
            case .notFound, .unconfirmed, .rejected:
                entry.name = nil
                entry.failures += 1
                entry.expires = now + min(settings.minimumTTL << min(entry.failures - 1, 16), settings.maximumTTL)
            }
            state.cache[address] = entry
            if state.cache.count > settings.cacheEntries { evictLeastWanted(&state) }
        }
    }

    /// Counts a PTR name refused as no valid host name.
    fileprivate func countRejection(_ rejection: HostNameSyntax.Rejection) {
        state.withLock { $0.statistics.rejected[rejection, default: 0] += 1 }
    }

    /// Forgets addresses nobody wanted for the longest TTL: hosts that left the table age out.
    private func evict(now: Int64) {
        state.withLock { state in
            let before = state.cache.count
            state.cache = state.cache.filter { now - $0.value.lastWanted <= settings.maximumTTL }
            if state.cache.count < before { logger.debug("names forgotten", metadata: ["count": "\(before - state.cache.count)"]) }
        }
    }

    /// Makes room for a tenth of the cache at once, so a stream of new hosts sorts it once per
    /// thousand lookups, not at each.
    private func evictLeastWanted(_ state: inout State) {
        let keep = settings.cacheEntries - settings.cacheEntries / 10
        let victims = state.cache.sorted { $0.value.lastWanted < $1.value.lastWanted }.prefix(state.cache.count - keep)
        for (address, _) in victims { state.cache[address] = nil }
    }

    /// One lookup's state across its two queries, carried through c-ares' context pointer.
    private final class Lookup {
        let finish: (Result, String?, Int64?) -> Void
        var resolver: OpaquePointer?
        var address: IPAddress?
        var verifies = true
        var name: String?
        weak var owner: ReverseResolver?

        init(finish: @escaping (Result, String?, Int64?) -> Void) {
            self.finish = finish
        }

        func named(status: Int32, name raw: UnsafePointer<CChar>?) {
            if status == Int32(CRES_BAD_ANSWER.rawValue) { owner?.countRejection(.malformed) }
            guard status == Int32(CRES_FOUND.rawValue), let raw else { return finish(Self.result(status), nil, nil) }
            switch HostNameSyntax.validate(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self),
                                                               count: strlen(raw))) {
            case .failure(let rejection):
                owner?.countRejection(rejection)
                finish(.rejected, nil, nil)
            case .success(let name):
                guard verifies, let resolver else { return finish(.named, name, nil) }
                self.name = name
                cres_lookup_addresses(resolver, name, { context, status, addresses, families, count, ttl in
                    Unmanaged<Lookup>.fromOpaque(context!).takeRetainedValue()
                        .confirmed(status: status, addresses: addresses, families: families, count: Int(count), ttl: ttl)
                }, Unmanaged.passRetained(self).toOpaque())
            }
        }

        func confirmed(status: Int32, addresses: UnsafePointer<UInt8>?, families: UnsafePointer<Int32>?, count: Int, ttl: Int32) {
            guard status == Int32(CRES_FOUND.rawValue), let addresses, let families, let address else {
                // No forward record: the PTR name is not confirmed.
                return finish(status == Int32(CRES_NOT_FOUND.rawValue) ? .unconfirmed : Self.result(status), nil, nil)
            }
            let found = (0..<count).contains { index in
                let family: IPAddress.Family = families[index] == AF_INET6 ? .v6 : .v4
                return IPAddress(family: family, networkBytes: UnsafeBufferPointer(start: addresses + 16 * index, count: 16)) == address
            }
            finish(found ? .named : .unconfirmed, found ? name : nil, ttl >= 0 ? Int64(ttl) : nil)
        }

        static func result(_ status: Int32) -> Result {
            switch UInt32(status) {
            case CRES_NOT_FOUND.rawValue: .notFound
            case CRES_SERVER_FAILURE.rawValue: .serverFailure
            case CRES_TIMEOUT.rawValue: .timeout
            case CRES_BAD_ANSWER.rawValue: .rejected
            default: .error
            }
        }
    }
}

/// The c-ares handle, used by the resolver thread alone.
private final class ResolverBox: @unchecked Sendable {
    let resolver: OpaquePointer

    init(_ resolver: OpaquePointer) {
        self.resolver = resolver
    }
}
