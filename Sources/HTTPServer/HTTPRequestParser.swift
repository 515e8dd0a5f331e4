import TextFormatting

/// Parses an HTTP/1.x request head from the bytes a connection has received, as
/// strictly as RFC 9112 lets a server be: anything a proxy in front could read
/// differently (several lengths, a bare CR, control bytes) is rejected.
public enum HTTPRequestParser {
    /// The most bytes a request head may take, counting blank lines before it (431 beyond).
    public static let maxHeadSize = 8192

    public enum Result: Equatable, Sendable {
        /// More bytes are needed.
        case incomplete
        /// A complete head of `length` bytes (the empty line included).
        case request(HTTPRequest, length: Int)
        /// The head is malformed or too large: answer `status` and close.
        case failure(HTTPStatus)
    }

    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    public static func parse(_ bytes: some Collection<UInt8>) -> Result {
        let buffer = Array(bytes.prefix(maxHeadSize + 1))
        // Clients may send empty lines before a request (RFC 9112, 2.2); they count toward the limit.
        var start = 0
        while start < buffer.count, buffer[start] == cr || buffer[start] == lf { start += 1 }
        guard let end = headEnd(buffer, from: start), end <= maxHeadSize else {
            return buffer.count > maxHeadSize ? .failure(.requestHeaderFieldsTooLarge) : .incomplete
        }
        guard let request = parseHead(buffer[start..<end]) else { return .failure(.badRequest) }
        if request.minorVersion < 0 { return .failure(.httpVersionNotSupported) }
        return .request(request, length: end)
    }

    /// The index just past the empty line that ends the head (LF or CRLF line endings).
    private static func headEnd(_ buffer: [UInt8], from start: Int) -> Int? {
        var index = start
        while let newline = buffer[index...].firstIndex(of: lf) {
            let next = newline + 1
            if next < buffer.count, buffer[next] == lf { return next + 1 }
            if next + 1 < buffer.count, buffer[next] == cr, buffer[next + 1] == lf { return next + 2 }
            index = next
        }
        return nil
    }

    /// Parses the head's lines; nil when malformed. An unsupported HTTP major version
    /// yields a request with `minorVersion` -1.
    private static func parseHead(_ head: ArraySlice<UInt8>) -> HTTPRequest? {
        var lines: [ArraySlice<UInt8>] = []
        for line in head.split(separator: lf, omittingEmptySubsequences: false) {
            let content = line.last == cr ? line.dropLast() : line
            // A CR anywhere but before LF is a bare CR (RFC 9112, 2.2).
            guard !content.contains(cr) else { return nil }
            lines.append(content)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { return nil }

        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenCharacter),
              !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7f }),
              let version = String(validating: parts[2], as: UTF8.self) else { return nil }
        let minorVersion: Int
        switch version {
        case "HTTP/1.0": minorVersion = 0
        case "HTTP/1.1": minorVersion = 1
        default:
            guard version.hasPrefix("HTTP/"), version.dropFirst(5).allSatisfy({ $0.isNumber || $0 == "." }) else {
                return nil
            }
            minorVersion = -1
        }
        guard let target = RequestTarget(String(decoding: parts[1], as: UTF8.self)) else { return nil }

        var headers: [HTTPRequest.HeaderField] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = line[..<colon]
            // A space before the colon, or a folded line, is malformed (RFC 9112, 5.1 and 5.2).
            guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else { return nil }
            let value = line[(colon + 1)...]
            guard value.allSatisfy(isFieldValueByte) else { return nil }
            headers.append(.init(name: String(decoding: name, as: UTF8.self).lowercased(),
                                 value: String(String(decoding: value, as: UTF8.self).trimmingSpaces())))
        }
        let request = HTTPRequest(method: String(decoding: parts[0], as: UTF8.self), path: target.path,
                                  query: target.query, minorVersion: minorVersion, headers: headers)
        return hasUnambiguousFraming(request) ? request : nil
    }

    /// One Host (required in HTTP/1.1), and a body length no two readers could disagree on.
    private static func hasUnambiguousFraming(_ request: HTTPRequest) -> Bool {
        let hosts = request.values("host")
        guard hosts.count <= 1, request.minorVersion == 0 || hosts.count == 1 else { return false }
        let lengths = request.values("content-length")
        if let first = lengths.first {
            // Digits only ("+0", "-1", "0x10" and lists are malformed), all alike, and no Transfer-Encoding beside it.
            guard !first.isEmpty, first.count <= 18, first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  lengths.allSatisfy({ $0 == first }), request.header("transfer-encoding") == nil else { return false }
        }
        // HTTP/1.0 has no Transfer-Encoding (RFC 9112, 6.1).
        return request.minorVersion == 1 || request.header("transfer-encoding") == nil
    }

    /// RFC 9110 field-value bytes: visible characters, space, tab and obs-text; no other control byte.
    private static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7f)
    }

    /// RFC 9110 tchar.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// The path and query of an origin-form ("/metrics?x") or absolute-form ("http://h/metrics") target.
private struct RequestTarget {
    var path: String
    var query: String?

    init?(_ target: String) {
        var rest = Substring(target)
        if let scheme = rest.firstRange(of: "://"), rest.hasPrefix("http") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        guard rest.hasPrefix("/") || rest == "*" else { return nil }
        rest = rest.prefix { $0 != "#" }
        if let mark = rest.firstIndex(of: "?") {
            path = String(rest[..<mark])
            query = String(rest[rest.index(after: mark)...])
        } else {
            path = String(rest)
        }
    }
}
