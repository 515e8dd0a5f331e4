/// Which names may label a host: what a PTR record's owner can put in its answer is anything,
/// so only a valid host name is used (RFC 952/1123): letters, digits and hyphens in labels of
/// 1-63 characters, not starting or ending with a hyphen, dots between them, 253 characters
/// at most, lower-cased, the trailing dot removed; and not an IP address posing as a name.
public enum HostNameSyntax {
    /// Why a name was refused.
    public enum Rejection: String, Error, Sendable, CaseIterable {
        /// A byte outside letters, digits, hyphen and dot (quotes, backslash, control bytes, UTF-8).
        case character
        /// Over 253 characters, a label over 63, or an empty label.
        case length
        /// A label starting or ending with a hyphen.
        case hyphen
        /// Digits and dots only: an address posing as a name.
        case address
        /// An answer c-ares refused itself, as malformed or holding a name it would not return.
        case malformed
    }

    /// The name as it labels a host, or why it may not.
    public static func validate(_ raw: some Collection<UInt8>) -> Result<String, Rejection> {
        var bytes = Array(raw)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return .failure(.length) }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
                lowered.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                lowered.append(byte + 32)
            default:
                return .failure(.character)
            }
        }
        for label in lowered.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63 else { return .failure(.length) }
            if label.first == UInt8(ascii: "-") || label.last == UInt8(ascii: "-") { return .failure(.hyphen) }
        }
        // "198.18.0.7" or "198.18.0.7." would pose as an address in a dashboard.
        if lowered.allSatisfy({ $0 == UInt8(ascii: ".") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }) {
            return .failure(.address)
        }
        return .success(String(decoding: lowered, as: UTF8.self))
    }
}
