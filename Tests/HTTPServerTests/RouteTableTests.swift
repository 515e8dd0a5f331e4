@testable import HTTPServer
import Synchronization
import Testing

@Suite struct RouteTableTests {
    private static func request(_ method: String, _ path: String) -> HTTPRequest {
        HTTPRequest(method: method, path: path, minorVersion: 1, headers: [.init(name: "host", value: "h")])
    }

    /// The status `table` answers `method path` with.
    private static func status(_ table: RouteTable, _ method: String, _ path: String) -> (HTTPStatus?, String?) {
        let answer = Mutex<HTTPResponse?>(nil)
        table.handle(request(method, path), responder: Responder { response in answer.withLock { $0 = response } })
        return answer.withLock { ($0?.status, $0?.headers.first { $0.name == "Allow" }?.value) }
    }

    private let table = RouteTable([
        .init("/a", link: .init("A", note: "the first")) { _, responder in responder.respond(.error(.ok)) },
        .init("/b", methods: ["GET", "POST"]) { _, responder in responder.respond(.error(.ok)) },
    ])

    @Test func headIsServedWhereGetIs() {
        #expect(Self.status(table, "GET", "/a").0 == .ok)
        #expect(Self.status(table, "HEAD", "/a").0 == .ok)
        #expect(Self.status(table, "POST", "/b").0 == .ok)
    }

    @Test func otherMethodsAreNotAllowedWithTheRoutesMethods() {
        #expect(Self.status(table, "POST", "/a") == (.methodNotAllowed, "GET, HEAD"))
        #expect(Self.status(table, "DELETE", "/b") == (.methodNotAllowed, "GET, POST, HEAD"))
    }

    @Test func unknownPathsAreNotFound() {
        #expect(Self.status(table, "GET", "/c").0 == .notFound)
        #expect(Self.status(table, "POST", "/c").0 == .notFound)
    }

    @Test func linksKeepTheirOrderAndSkipUnlinkedRoutes() {
        #expect(table.links.map(\.path) == ["/a"])
        #expect(table.links.first?.link?.note == "the first")
    }
}
