@testable import ConntrackKernel
@testable import ConntrackModel
import Glibc
import TestFixtures
import Testing
@testable import Views

/// Entries for the views: an idle connection to a database, busy ones to a web server, a
/// half-closed one, and one TIME_WAIT.
private var viewEntries: [ConntrackEntry] { [
    makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.7", 5432, timeout: 432_000 - 900),
    makeEntry(from: "127.0.0.1", 40001, to: "198.18.0.9", 443, timeout: 432_000 - 5),
    makeEntry(from: "127.0.0.1", 40002, to: "198.18.0.9", 443, timeout: 432_000 - 1),
    makeEntry(from: "127.0.0.1", 40003, to: "198.18.0.9", 443, state: .closeWait, timeout: 30, firstFin: .original),
    makeEntry(from: "::1", 40004, to: "2001:db8::9", 443, state: .timeWait, timeout: 100, firstFin: .reply),
] }

@Suite(.serialized) struct DiagnosticViewsTests {
    @Test func listsConnectionsIdleLongestFirst() throws {
        let server = try RunningServer(table: FixedTable(entries: viewEntries), views: true)
        let client = try TestHTTPClient(port: server.port)
        try client.sendGet("/connections")
        let response = try client.response()
        #expect(response.status == 200)
        let lines = response.body.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines[0].split(separator: " ") == ["STATE", "DIR", "LOCAL", "REMOTE", "HOST", "IDLE_S", "AGE_S", "CLOSED_BY"])
        #expect(lines[1].split(separator: " ") == ["ESTABLISHED", "out", "127.0.0.1:40000", "198.18.0.7:5432", "198.18.0.7:5432", "900", "-", "-"])
        #expect(lines[2].split(separator: " ") == ["CLOSE_WAIT", "out", "127.0.0.1:40003", "198.18.0.9:443", "198.18.0.9:443", "30", "-", "local"])
        #expect(lines[3].split(separator: " ") == ["TIME_WAIT", "out", "[::1]:40004", "[2001:db8::9]:443", "[2001:db8::9]:443", "20", "-", "remote"])
        // Columns line up: every row's second column starts where the header's does.
        let column = lines[0].firstRange(of: "DIR")!.lowerBound.utf16Offset(in: lines[0])
        #expect(lines.dropFirst().allSatisfy { $0.firstRange(of: "out")!.lowerBound.utf16Offset(in: $0) == column })
    }

    @Test(arguments: [
        ("host=198.18.0.9:443", 3), ("host=198.18.0.9", 3), ("host=%5B2001:db8::9%5D:443", 1), ("host=198.18.0.9:80", 0),
        ("state=half_closed", 1), ("state=time_wait", 1), ("state=closing", 2), ("state=ESTABLISHED", 3),
        ("state=close_wait", 1), ("idle_min=10", 3), ("idle_min=10&state=open", 1),
    ])
    func filters(query: String, count: Int) throws {
        let server = try RunningServer(table: FixedTable(entries: viewEntries), views: true)
        let client = try TestHTTPClient(port: server.port)
        try client.sendGet("/connections?\(query)&format=json")
        let response = try client.response()
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.body.hasPrefix("{\"matched\":\(count),\"shown\":\(count),"), "\(response.body)")
    }

    @Test func saysHowManyMoreMatchedThanTheLimit() throws {
        let server = try RunningServer(table: FixedTable(entries: viewEntries), views: true)
        let client = try TestHTTPClient(port: server.port)
        try client.sendGet("/connections?limit=2")
        let lines = try client.response().body.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[3].hasPrefix("# 3 more connections matched (5 in all)"))
    }

    @Test func listsHostsBusiestFirst() throws {
        let server = try RunningServer(table: FixedTable(entries: viewEntries), views: true)
        let client = try TestHTTPClient(port: server.port)
        try client.sendGet("/hosts")
        let lines = try client.response().body.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[2].split(separator: " ").prefix(8) == ["198.18.0.9:443", "0", "2", "1", "0", "1", "0", "0"])
        #expect(lines[3].hasPrefix("198.18.0.7:5432 "))
        #expect(lines[4].hasPrefix("[2001:db8::9]:443 "))

        try client.sendGet("/hosts?format=json&limit=1")
        let json = try client.response().body
        #expect(json.hasPrefix("{\"matched\":3,\"shown\":1,\"idle_threshold_seconds\":0,\"hosts\":[{\"host\":\"198.18.0.9:443\","))
        #expect(json.contains("\"half_closed\":{\"local\":1,\"remote\":0,\"unknown\":0}"))
    }

    @Test(arguments: [
        "/connections?state=bogus", "/connections?limit=0", "/connections?limit=10001", "/connections?idle_min=-1",
        "/connections?x=1", "/connections?limit=1&limit=2", "/connections?host=example.com", "/connections?host=%zz",
        "/connections?format=xml", "/connections?limit", "/hosts?state=open", "/hosts?limit=abc",
    ])
    func refusesBadQueriesWith400(target: String) throws {
        let server = try RunningServer(table: FixedTable(entries: viewEntries), views: true)
        let client = try TestHTTPClient(port: server.port)
        try client.sendGet(target)
        let response = try client.response()
        #expect(response.status == 400)
        #expect(response.body.hasPrefix("400 Bad Request: "))
        #expect(server.table.reads.withLock { $0 } == 0, "a bad query costs no read")
    }

    @Test func switchedOffTheViewsAreNotFoundAndNotLinked() throws {
        let server = try RunningServer(table: FixedTable(entries: viewEntries), views: false)
        let client = try TestHTTPClient(port: server.port)
        try client.sendGet("/connections")
        #expect(try client.response().status == 404)
        try client.sendGet("/")
        #expect(!(try client.response().body.contains("/connections")))
    }

    @Test func theLandingPageLinksTheViews() throws {
        let server = try RunningServer(views: true)
        let client = try TestHTTPClient(port: server.port)
        try client.sendGet("/")
        let body = try client.response().body
        #expect(body.contains("<a href=\"/connections\">") && body.contains("<a href=\"/hosts\">"))
        try client.send("POST /hosts HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.response().status == 405)
    }

    @Test func viewsAndScrapesArrivingDuringAReadShareIt() throws {
        let server = try RunningServer(delay: .milliseconds(300), views: true)
        let first = try TestHTTPClient(port: server.port)
        try first.sendGet("/metrics")
        while server.collector.reads.withLock({ $0 }) == 0 { usleep(1000) }
        let others = try (0..<6).map { _ in try TestHTTPClient(port: server.port) }
        for (index, client) in others.enumerated() {
            try client.sendGet(index % 2 == 0 ? "/metrics" : "/hosts")
        }
        let listing = try TestHTTPClient(port: server.port)
        try listing.sendGet("/connections")
        for client in [first] + others + [listing] { #expect(try client.response().status == 200) }
        // Scrapes and /hosts share the running read; /connections needs its query in a read of its own.
        #expect(server.table.reads.withLock { $0 } == 2)
        #expect(server.collector.reads.withLock { $0 } == 1, "the views-only read builds no exposition")
    }

    @Test func aScrapeArrivingDuringAViewsReadSharesIt() throws {
        let table = SlowTable(FixedTable(entries: viewEntries), delay: 0.3)
        let server = try RunningServer(reading: table, views: true)
        let view = try TestHTTPClient(port: server.port)
        try view.sendGet("/connections")
        while table.started.withLock({ $0 }) == 0 { usleep(1000) }
        let scrape = try TestHTTPClient(port: server.port)
        try scrape.sendGet("/metrics")
        #expect(try view.response().status == 200)
        let metrics = try scrape.response()
        #expect(metrics.body.contains("conntrack_open_connections{host=\"198.18.0.9:443\"} 2\n"))
        #expect(table.started.withLock { $0 } == 1, "the scrape waited for no read of its own")
    }
}

@Suite struct ViewQueryTests {
    @Test(arguments: [
        ("198.18.0.7", "198.18.0.7", nil), ("198.18.0.7:5432", "198.18.0.7", 5432), ("[2001:db8::7]:443", "2001:db8::7", 443),
        ("2001:db8::7", "2001:db8::7", nil), ("[::1]", "::1", nil),
    ] as [(String, String, UInt16?)])
    func parsesHostFilters(text: String, address: String, port: UInt16?) {
        #expect(HostFilter(text) == HostFilter(address: IPAddress(address)!, port: port))
    }

    @Test(arguments: ["", "host", "198.18.0.7:", "198.18.0.7:99999", "[2001:db8::7", "[2001:db8::7]x", "::1:80x"])
    func refusesOtherHosts(text: String) {
        #expect(HostFilter(text) == nil)
    }

    @Test func keepsTheGreatestInBoundedMemory() {
        var selection = TopSelection<Int>(limit: 3)
        for value in [5, 1, 9, 7, 3, 8, 2, 6, 4, 0] { selection.offer(value) }
        #expect(selection.elements == [9, 8, 7])
        #expect(selection.offered == 10)
    }
}
