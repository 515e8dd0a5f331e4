@testable import HTTPServer
import Testing

@Suite struct HTTPRequestParserTests {
    private func parse(_ text: String) -> HTTPRequestParser.Result {
        HTTPRequestParser.parse(Array(text.utf8))
    }

    private func request(_ text: String) throws -> HTTPRequest {
        guard case .request(let request, _) = parse(text) else {
            Issue.record("not parsed: \(text.debugDescription)")
            throw CancellationError()
        }
        return request
    }

    @Test func parsesAPrometheusScrape() throws {
        let text = "GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9318\r\nAccept-Encoding: gzip\r\n"
            + "User-Agent: Prometheus/2.42.0\r\n\r\n"
        guard case .request(let request, let length) = parse(text + "GET /next") else {
            Issue.record("not parsed")
            return
        }
        #expect(length == text.utf8.count)
        #expect(request.method == "GET")
        #expect(request.path == "/metrics")
        #expect(request.minorVersion == 1)
        #expect(request.header("accept-encoding") == "gzip")
        #expect(request.header("HOST") == "127.0.0.1:9318")
        #expect(request.keepAlive)
        #expect(!request.hasBody)
    }

    @Test func keepAliveFollowsVersionAndConnection() throws {
        #expect(try !request("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").keepAlive)
        #expect(try !request("GET / HTTP/1.0\r\n\r\n").keepAlive)
        #expect(try request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive)
        #expect(try !request("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n").keepAlive)
    }

    @Test func acceptsBareLineFeedsAndLeadingEmptyLines() throws {
        let parsed = try request("\r\n\nHEAD /metrics HTTP/1.1\nHost: h\n\n")
        #expect(parsed.method == "HEAD")
        #expect(try request("GET http://h:9318/metrics HTTP/1.1\r\nHost: h\r\n\r\n").path == "/metrics")
    }

    @Test(arguments: ["", "GET", "GET /metrics HTTP/1.1\r\nHost: h\r\n", "GET /metrics HTTP/1.1\r\n"])
    func waitsForTheRestOfTheHead(text: String) {
        #expect(parse(text) == .incomplete)
    }

    @Test(arguments: [
        "GET /metrics\r\n\r\n",
        "GET  /metrics HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /metrics HTTP/1.1 extra\r\nHost: h\r\n\r\n",
        "G(T /metrics HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET metrics HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /metrics FTP/1.1\r\nHost: h\r\n\r\n",
        "GET /metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\nNo colon here\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost : h\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: ten\r\n\r\n",
        "GET /me\u{7f}trics HTTP/1.1\r\nHost: h\r\n\r\n",
    ])
    func rejectsMalformedHeads(text: String) {
        #expect(parse(text) == .failure(.badRequest))
    }

    /// Shapes a proxy and this server could frame differently (request smuggling), and
    /// bytes RFC 9112 forbids; each was accepted before the parser became strict.
    @Test(arguments: [
        "POST /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 41\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: +0\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\n",
        "POST /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST /metrics HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\rX-Smuggled: 1\r\n\r\n",
        "GET /metrics HTTP/1.1\rHost: h\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\nX-Nul: a\u{0}b\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\nX-Ctl: a\u{1b}[31m\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: h\r\nX-Del: a\u{7f}\r\n\r\n",
    ])
    func rejectsAmbiguousFramingAndControlBytes(text: String) {
        #expect(parse(text) == .failure(.badRequest))
    }

    @Test func acceptsRepeatedIdenticalLengthsTabsAndObsText() throws {
        #expect(try request("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n").hasBody)
        #expect(try request("GET / HTTP/1.1\r\nHost: h\r\nX-Tab: a\tb\r\nX-Latin: caf\u{e9}\r\n\r\n")
            .header("x-tab") == "a\tb")
    }

    @Test func keepsTheQueryApartFromThePath() throws {
        let parsed = try request("GET /connections?host=a&limit=5#frag HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(parsed.path == "/connections")
        #expect(parsed.query == "host=a&limit=5")
        #expect(try request("GET / HTTP/1.1\r\nHost: h\r\n\r\n").query == nil)
    }

    /// Blank lines before a request used to be skipped before the limit was checked, so a
    /// client streaming CRLF grew the buffer without bound.
    @Test func countsLeadingBlankLinesTowardTheLimit() {
        #expect(parse(String(repeating: "\r\n", count: 5000)) == .failure(.requestHeaderFieldsTooLarge))
        #expect(parse(String(repeating: "\r\n", count: 4000) + "GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "a", count: 300))
            == .failure(.requestHeaderFieldsTooLarge))
        #expect(parse(String(repeating: "\r\n", count: 100)) == .incomplete)
    }

    @Test func rejectsOtherMajorVersions() {
        #expect(parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == .failure(.httpVersionNotSupported))
    }

    @Test func rejectsHeadsOver8KiB() {
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: " + String(repeating: "a", count: 8200) + "\r\n\r\n"
        #expect(parse(big) == .failure(.requestHeaderFieldsTooLarge))
        let unfinished = "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 8200)
        #expect(parse(unfinished) == .failure(.requestHeaderFieldsTooLarge))
        let justFits = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: " + String(repeating: "a", count: 8000) + "\r\n\r\n"
        guard case .request = parse(justFits) else {
            Issue.record("an 8 KiB head must parse")
            return
        }
    }

    @Test(arguments: [
        ("gzip", true), ("deflate, gzip;q=0.5", true), ("GZIP", true), ("x-gzip", true), ("*", true),
        ("gzip;q=0", false), ("deflate, br", false), ("", false), ("identity", false),
    ])
    func readsAcceptEncoding(value: String, accepts: Bool) throws {
        #expect(try request("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: \(value)\r\n\r\n").acceptsGzip == accepts)
    }

    @Test func notesBodies() throws {
        #expect(try request("POST /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n").hasBody)
        #expect(try request("POST /metrics HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n").hasBody)
        #expect(try !request("GET /metrics HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").hasBody)
    }
}
