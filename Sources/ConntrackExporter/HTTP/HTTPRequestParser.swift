/// Parses an HTTP/1.x request head from the bytes a connection has received.
public enum HTTPRequestParser {
    /// The most bytes a request line plus header fields may take (431 beyond).
    public static let maxHeadSize = 8192

    public enum Result: Equatable, Sendable {
        /// More bytes are needed.
        case incomplete
        /// A complete head of `length` bytes (the empty line included).
        case request(HTTPRequest, length: Int)
        /// The head is malformed or too large: answer `status` and close.
        case failure(HTTPStatus)
    }

    public static func parse(_ bytes: some Collection<UInt8>) -> Result {
        let buffer = Array(bytes.prefix(maxHeadSize + 4))
        // Clients may send empty lines before a request (RFC 9112, 2.2): skip them.
        var start = 0
        while start < buffer.count, buffer[start] == UInt8(ascii: "\r") || buffer[start] == UInt8(ascii: "\n") {
            start += 1
        }
        guard let end = headEnd(buffer, from: start) else {
            return buffer.count - start >= maxHeadSize ? .failure(.requestHeaderFieldsTooLarge) : .incomplete
        }
        guard end - start <= maxHeadSize else { return .failure(.requestHeaderFieldsTooLarge) }
        guard let request = parseHead(buffer[start..<end]) else { return .failure(.badRequest) }
        if request.minorVersion < 0 { return .failure(.httpVersionNotSupported) }
        return .request(request, length: end)
    }

    /// The index just past the empty line that ends the head (LF or CRLF line endings).
    private static func headEnd(_ buffer: [UInt8], from start: Int) -> Int? {
        var index = start
        while let newline = buffer[index...].firstIndex(of: UInt8(ascii: "\n")) {
            let next = newline + 1
            if next < buffer.count, buffer[next] == UInt8(ascii: "\n") { return next + 1 }
            if next + 1 < buffer.count, buffer[next] == UInt8(ascii: "\r"), buffer[next + 1] == UInt8(ascii: "\n") {
                return next + 2
            }
            index = next
        }
        return nil
    }

    /// Parses the head's lines; nil when malformed. An unsupported HTTP major version
    /// yields a request with `minorVersion` -1.
    private static func parseHead(_ head: ArraySlice<UInt8>) -> HTTPRequest? {
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
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
        guard let path = path(of: String(decoding: parts[1], as: UTF8.self)) else { return nil }

        var headers: [HTTPRequest.HeaderField] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = line[..<colon]
            // A space before the colon, or a folded line, is malformed (RFC 9112, 5.1 and 5.2).
            guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else { return nil }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
            headers.append(.init(name: String(decoding: name, as: UTF8.self).lowercased(), value: String(value)))
        }
        let request = HTTPRequest(method: String(decoding: parts[0], as: UTF8.self), path: path,
                                  minorVersion: minorVersion, headers: headers)
        if minorVersion == 1 && request.header("host") == nil { return nil }
        if let length = request.header("content-length"), Int(length) == nil { return nil }
        return request
    }

    /// The path of an origin-form ("/metrics?x") or absolute-form ("http://h/metrics") target.
    private static func path(of target: String) -> String? {
        var rest = Substring(target)
        if let scheme = rest.firstRange(of: "://"), rest.hasPrefix("http") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        guard rest.hasPrefix("/") || rest == "*" else { return nil }
        return String(rest.prefix { $0 != "?" && $0 != "#" })
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
