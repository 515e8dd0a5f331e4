import Foundation
import Glibc
@testable import HTTPServer
import TestFixtures
import Testing

/// ``HTTPServer`` against clients that try to lock it out or bloat it. Each test failed
/// on the server before deadlines, eviction of slow heads and the memory bound.
@Suite(.serialized) struct HTTPServerHostileClientTests {
    init() {
        // A thousand clients plus the server's own descriptors, in this one process.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    private func scrapeSucceeds(port: UInt16) -> Bool {
        guard let client = try? TestHTTPClient(port: port),
              (try? client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) != nil,
              let response = try? client.response() else { return false }
        return response.status == 200
    }

    @Test func slowReadersCannotHoldEverySlot() throws {
        let server = try RunningServer(bodyBytes: 4 << 20)
        // More clients than connection slots, each asking for 4 MiB it never reads.
        let stalled = try (0..<520).map { _ in try TestHTTPClient(port: server.port, receiveBuffer: 4096) }
        for client in stalled { try? client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n") }
        Thread.sleep(forTimeInterval: 1)
        let answered = (0..<8).filter { _ in scrapeSucceeds(port: server.port) }.count
        #expect(answered == 8)
        withExtendedLifetime(stalled) {}
    }

    @Test func closesAResponseNotDrainedInTime() throws {
        var limits = HTTPServer.Limits()
        limits.writeTimeout = .milliseconds(300)
        let server = try RunningServer(bodyBytes: 8 << 20, limits: limits)
        let client = try TestHTTPClient(port: server.port, receiveBuffer: 4096)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        // From the answer's first byte (building an 8 MiB body takes a while under load), the
        // client reads nothing for longer than the deadline.
        try client.waitForData()
        Thread.sleep(forTimeInterval: 1.5)
        // The server gave up: what arrives ends well short of the 8 MiB body.
        #expect(client.drain() < 8 << 20)
    }

    @Test func aStreamOfBlankLinesGets431() throws {
        let server = try RunningServer()
        let client = try TestHTTPClient(port: server.port)
        for _ in 0..<16 { try? client.send(String(repeating: "\r\n", count: 2048)) }
        #expect(try client.response().status == 431)
        #expect(client.isClosedByServer())
    }

    @Test func slowlorisAtAThousandClientsLeavesRoomForScrapes() throws {
        let server = try RunningServer()
        let slow = try (0..<1000).map { _ in try TestHTTPClient(port: server.port) }
        for client in slow { try? client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n") }
        var answered = 0
        for _ in 0..<8 {
            // Every slow client trickles one more header line; once the server has read them, a scrape arrives.
            for client in slow { try? client.send("X-Trickle: 1\r\n") }
            Thread.sleep(forTimeInterval: 0.3)
            if scrapeSucceeds(port: server.port) { answered += 1 }
        }
        #expect(answered == 8)
        withExtendedLifetime(slow) {}
    }

    /// Head and body used to leave in two writes, so the second waited for a delayed ACK
    /// (40 ms) on every kept-alive response. A functional bound, far above the fixed cost.
    @Test func keptAliveResponsesDoNotWaitForDelayedACKs() throws {
        let server = try RunningServer()
        let client = try TestHTTPClient(port: server.port)
        let start = ContinuousClock.now
        for _ in 0..<50 {
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.response().status == 200)
        }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func answersARequestFollowedByEndOfStream() throws {
        let server = try RunningServer()
        var answered = 0
        for _ in 0..<60 {
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdownWrite()
            if let response = try? client.response(), response.status == 200, client.isClosedByServer() {
                answered += 1
            }
        }
        #expect(answered == 60)
    }
}

/// The connection limit makes room from the busiest client only.
@Suite(.serialized) struct HTTPServerFairnessTests {
    @Test func aFloodFromOneClientNeverPushesOutAnothersKeptAliveConnection() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 8
        let server = try RunningServer(limits: limits)
        let scraper = try TestHTTPClient(port: server.port)
        try scraper.sendGet("/metrics")
        #expect(try scraper.response().status == 200)
        // Twenty connections from another address: the limit is reached and passed.
        let flood = try (0..<20).map { _ in try TestHTTPClient(port: server.port, source: 2) }
        Thread.sleep(forTimeInterval: 0.3)
        try scraper.sendGet("/metrics")
        #expect(try scraper.response().status == 200, "the kept-alive scraper is still connected")
        // And a fresh client, from the flooding address or another, always gets in.
        for source: UInt8 in [2, 3] {
            let fresh = try TestHTTPClient(port: server.port, source: source)
            try fresh.sendGet("/metrics")
            #expect(try fresh.response().status == 200)
        }
        #expect(flood.filter { $0.isClosedByServer() }.count >= 13)
    }

    @Test func aWaitingRequestMadeRoomForIsAnswered503WithRetryAfter() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 4
        let server = try RunningServer(limits: limits, reading: SlowTable(FixedTable(), delay: 1), views: true)
        let waiting = try (0..<4).map { _ in try TestHTTPClient(port: server.port, source: 2) }
        // The first request's read starts alone; the others wait for the next one.
        try waiting[0].sendGet("/connections")
        Thread.sleep(forTimeInterval: 0.1)
        for client in waiting.dropFirst() { try client.sendGet("/connections") }
        Thread.sleep(forTimeInterval: 0.1)
        let fresh = try TestHTTPClient(port: server.port, source: 3)
        Thread.sleep(forTimeInterval: 0.2)
        // The request whose read is under way outlasts the others: one of those makes room.
        // They arrived in one poll, so which one is open.
        let evicted = waiting.filter { $0.hasData() }
        #expect(evicted.count == 1 && evicted.first !== waiting[0])
        let refusal = try #require(evicted.first).response()
        #expect(refusal.status == 503 && refusal.headers["retry-after"] == "1")
        // The read under way (1 s) answers its request; the next read comes seconds later.
        Thread.sleep(forTimeInterval: 1)
        #expect(waiting.filter { $0 !== evicted.first && $0.hasData() }.count == 1)
        #expect(try waiting[0].response().status == 200)
        withExtendedLifetime(fresh) {}
    }

    /// A fresh connection used to rank as a slow request head, so the flood's next reconnect
    /// closed it before it had sent anything: fresh scrapes from the hogs' address failed.
    @Test func aFreshConnectionFromTheFloodingAddressGetsToSendItsRequest() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 4
        let table = SlowTable(FixedTable(), delay: 1)
        let server = try RunningServer(limits: limits, reading: table, views: true)
        let waiting = try (0..<4).map { _ in try TestHTTPClient(port: server.port, source: 2) }
        // The first request's read is under way before the others arrive, so they wait for the
        // next read: requests waiting for work of their own, which make room before a fresh
        // connection does. (Sharing a read in progress, they would rank after it.)
        try waiting[0].sendGet("/connections")
        while table.started.withLock({ $0 }) == 0 { usleep(1000) }
        for client in waiting.dropFirst() { try client.sendGet("/connections") }
        Thread.sleep(forTimeInterval: 0.1)
        // Connected, nothing sent yet; then the flood reconnects past the limit.
        let fresh = try TestHTTPClient(port: server.port, source: 2)
        Thread.sleep(forTimeInterval: 0.1)
        let reconnect = try TestHTTPClient(port: server.port, source: 2)
        Thread.sleep(forTimeInterval: 0.1)
        try fresh.sendGet("/metrics")
        #expect(try fresh.response().status == 200)
        #expect(waiting.filter { $0.hasData() }.count >= 2, "the flood's waiting requests made room")
        withExtendedLifetime(reconnect) {}
    }

    @Test func aClientThatLeavesWhileItsRequestWaitsCancelsItsWork() throws {
        let table = SlowTable(FixedTable(), delay: 0.5)
        let server = try RunningServer(reading: table, views: true)
        let scrape = try TestHTTPClient(port: server.port)
        try scrape.sendGet("/metrics")
        while table.started.withLock({ $0 }) == 0 { usleep(1000) }
        // A view that needs a read of its own, whose client leaves (FIN) before it starts.
        let leaving = try TestHTTPClient(port: server.port)
        try leaving.sendGet("/connections")
        Thread.sleep(forTimeInterval: 0.2)
        leaving.shutdownWrite()
        #expect(try scrape.response().status == 200)
        Thread.sleep(forTimeInterval: 2)
        #expect(table.started.withLock { $0 } == 1, "the departed client's read was never started")
    }
}
