import CCrypt
import Dispatch
import Synchronization
import TextFormatting

/// Checks `Authorization: Basic` credentials against `basic_auth_users`' bcrypt hashes with
/// the system's crypt. A bcrypt costs tens of milliseconds, so checks run one at a time off
/// the server thread, and verdicts are cached as exporter-toolkit does: a scraper that
/// sends the same credentials every time pays for one bcrypt, not one per scrape. Unlike
/// a single cache, successes and failures are kept apart, so a client sending many wrong
/// passwords cannot evict the scraper's success and queue it behind its own bcrypts.
final class BasicAuthenticator: Sendable {
    /// Verdicts of each kind kept at most; beyond it one is dropped at random.
    static let cacheSize = 100
    /// Checked for unknown users, so they take as long as known ones.
    private static let standInHash = "$2y$10$VaB9/Nq/NvjfPcSS9kqgUO7x6wSyBFZ6D9KmFIGyOcI38y5kQTmsu"

    private struct CacheKey: Hashable {
        var user: String
        var hash: String
        var password: String
    }

    private let users: [String: String]
    private struct Verdicts {
        var granted = Set<CacheKey>()
        var denied = Set<CacheKey>()

        func verdict(_ key: CacheKey) -> Bool? {
            granted.contains(key) ? true : denied.contains(key) ? false : nil
        }

        mutating func record(_ key: CacheKey, granted isGranted: Bool) {
            func insert(into set: inout Set<CacheKey>) {
                if set.count >= BasicAuthenticator.cacheSize, let victim = set.randomElement() { set.remove(victim) }
                set.insert(key)
            }
            if isGranted { insert(into: &granted) } else { insert(into: &denied) }
        }
    }

    private let verdicts = Mutex(Verdicts())
    // Serial: bcrypt never takes more than one core, whatever clients send.
    private let queue = DispatchQueue(label: "conntrack_exporter.bcrypt")

    init(users: [String: String]) {
        self.users = users
    }

    /// Calls `completion` with whether `authorization` (the header's value) names a user
    /// and the right password; on this thread when the verdict is cached.
    func authorize(_ authorization: String?, completion: @escaping @Sendable (Bool) -> Void) {
        guard let (user, password) = authorization.flatMap(Self.credentials) else { return completion(false) }
        let known = users[user]
        let key = CacheKey(user: user, hash: known ?? Self.standInHash, password: password)
        if let verdict = verdicts.withLock({ $0.verdict(key) }) { return completion(verdict) }
        queue.async { [self] in
            let verdict = ccrypt_verify(password, key.hash) == 1 && known != nil
            verdicts.withLock { $0.record(key, granted: verdict) }
            completion(verdict)
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
