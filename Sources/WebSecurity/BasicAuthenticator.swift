import CCrypt
import CTLS
import Dispatch
import HTTPServer
import Synchronization
import TextFormatting

/// Checks `Authorization: Basic` credentials against `basic_auth_users`' bcrypt hashes with
/// the system's crypt. A bcrypt costs tens of milliseconds, so checks run one at a time off
/// the server thread, and verdicts are cached as exporter-toolkit does: a scraper that sends
/// the same credentials every time pays for one bcrypt, not one per scrape.
///
/// Hardened against clients that send many: successes and failures are cached apart (wrong
/// passwords cannot evict the scraper's success), under an HMAC of the credentials with a
/// key of this process (never the password itself); at most ``maxPendingChecks`` distinct
/// checks wait (beyond: `busy`, without a check); requests with the same credentials share
/// one check; a check whose every client left is skipped; and an unknown user is checked
/// against a stand-in hash of the users' own cost, so it takes as long as a known one.
final class BasicAuthenticator: Sendable {
    enum Verdict: Sendable {
        case granted
        case denied
        /// Too many checks wait already: try again later.
        case busy
    }

    /// Verdicts of each kind kept at most; beyond it one is dropped at random.
    static let cacheSize = 100
    /// Distinct checks waiting for the bcrypt thread at most.
    static let maxPendingChecks = 16

    /// An HMAC-SHA256 of user, password and hash.
    private struct Digest: Hashable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        static func == (lhs: Digest, rhs: Digest) -> Bool {
            lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
        }
    }

    private struct Waiter {
        let id: UInt64
        let completion: @Sendable (Verdict) -> Void
    }

    private struct State {
        var granted = Set<Digest>()
        var denied = Set<Digest>()
        var pending: [Digest: [Waiter]] = [:]
        var nextID: UInt64 = 0
        /// bcrypt checks run so far.
        var checks = 0

        mutating func record(_ digest: Digest, granted isGranted: Bool) {
            func insert(into set: inout Set<Digest>) {
                if set.count >= BasicAuthenticator.cacheSize, let victim = set.randomElement() { set.remove(victim) }
                set.insert(digest)
            }
            if isGranted { insert(into: &granted) } else { insert(into: &denied) }
        }
    }

    private let users: [String: String]
    /// What an unknown user's password is checked against: a hash of a random password at
    /// the highest cost among the users.
    let standInHash: String
    private let digestKey: [UInt8]
    private let state = Mutex(State())
    // Serial: bcrypt never takes more than one core, whatever clients send.
    private let queue = DispatchQueue(label: "conntrack_exporter.bcrypt")

    init(users: [String: String]) {
        self.users = users
        let cost = users.values.compactMap { Int($0.dropFirst(4).prefix(2)) }.max() ?? 10
        var hash = [CChar](repeating: 0, count: 128)
        standInHash = ccrypt_stand_in_hash(Int32(cost), &hash, hash.count) == 0
            ? String(decoding: hash.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "$2y$10$VaB9/Nq/NvjfPcSS9kqgUO7x6wSyBFZ6D9KmFIGyOcI38y5kQTmsu"
        var key = [UInt8](repeating: 0, count: 32)
        if ctls_random(&key, key.count) != 0 {
            // Never reached with a working OpenSSL; the cache stays keyed, just less secretly.
            key = (0..<32).map { _ in UInt8.random(in: 0...255) }
        }
        digestKey = key
    }

    /// Calls `completion` with whether `authorization` (the header's value) names a user and
    /// the right password; on this thread when the verdict is cached or no check can wait.
    func authorize(_ authorization: String?, responder: Responder, completion: @escaping @Sendable (Verdict) -> Void) {
        guard let (user, password) = authorization.flatMap(Self.credentials) else { return completion(.denied) }
        let known = users[user]
        let hash = known ?? standInHash
        let digest = digest(user, password, hash)
        enum Decision { case cached(Bool), busy, joins(UInt64), checks(UInt64) }
        let decision = state.withLock { state -> Decision in
            if state.granted.contains(digest) { return .cached(true) }
            if state.denied.contains(digest) { return .cached(false) }
            state.nextID += 1
            let waiter = Waiter(id: state.nextID, completion: completion)
            if state.pending[digest] != nil {
                state.pending[digest]!.append(waiter)
                return .joins(waiter.id)
            }
            guard state.pending.count < Self.maxPendingChecks else { return .busy }
            state.pending[digest] = [waiter]
            return .checks(waiter.id)
        }
        switch decision {
        case .cached(let granted): return completion(granted ? .granted : .denied)
        case .busy: return completion(.busy)
        case .joins(let id), .checks(let id):
            responder.onCancel { [self] in
                state.withLock { state in state.pending[digest]?.removeAll { $0.id == id } }
            }
            guard case .checks = decision else { return }
        }
        queue.async { [self] in
            // Everyone who asked has left: no bcrypt is spent on them.
            let wanted = state.withLock { state in
                if state.pending[digest]?.isEmpty != false { state.pending[digest] = nil; return false }
                return true
            }
            guard wanted else { return }
            let granted = ccrypt_verify(password, hash) == 1 && known != nil
            let waiters = state.withLock { state in
                state.checks += 1
                state.record(digest, granted: granted)
                return state.pending.removeValue(forKey: digest) ?? []
            }
            for waiter in waiters { waiter.completion(granted ? .granted : .denied) }
        }
    }

    /// Requests waiting for a check now.
    var pendingChecks: Int { state.withLock { $0.pending.count } }

    /// bcrypt checks run so far.
    var checksRun: Int { state.withLock { $0.checks } }

    /// The cached verdicts' keys, as text: what a core of this process could show of them.
    var cacheContents: [String] {
        state.withLock { state in
            (state.granted.union(state.denied)).map { "\($0.words.0)\($0.words.1)\($0.words.2)\($0.words.3)" }
        }
    }

    private func digest(_ user: String, _ password: String, _ hash: String) -> Digest {
        let message = Array(user.utf8) + [0] + Array(password.utf8) + [0] + Array(hash.utf8)
        var out = [UInt8](repeating: 0, count: 32)
        _ = ctls_hmac_sha256(digestKey, digestKey.count, message, message.count, &out)
        return out.withUnsafeBytes { bytes in
            Digest(words: (bytes.loadUnaligned(as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                           bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
        }
    }

    /// User and password from "Basic base64(user:password)".
    static func credentials(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let decoded = Base64.decode(parts[1].trimmingSpaces()),
              let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return (String(decoding: decoded[..<colon], as: UTF8.self), String(decoding: decoded[(colon + 1)...], as: UTF8.self))
    }
}
