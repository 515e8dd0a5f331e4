@testable import HTTPServer
import Testing

@Suite struct ListenAddressTests {
    @Test(arguments: [
        (":9318", nil, 9318),
        ("0.0.0.0:9318", "0.0.0.0", 9318),
        ("127.0.0.1:80", "127.0.0.1", 80),
        ("[::]:9318", "::", 9318),
        ("[::1]:9100", "::1", 9100),
        ("localhost:0", "localhost", 0),
    ] as [(String, String?, UInt16)])
    func parses(text: String, host: String?, port: UInt16) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == text)
    }

    /// "999.1.1.1" used to be looked up in DNS as a host name.
    @Test(arguments: ["9318", "127.0.0.1", ":99999", ":http", "::1:9318", "[::1:9318", "127.0.0.1:-1",
                      "999.1.1.1:9401", "127.0.0.1.5:9318", "10.1:9318"])
    func rejects(text: String) {
        #expect(throws: ListenAddressError.self) { try ListenAddress(parsing: text) }
    }

    @Test func composesTheOriginalFlags() {
        #expect(ListenAddress(bindAddress: nil, port: 9318).description == ":9318")
        #expect(ListenAddress(bindAddress: "0.0.0.0", port: 9000).description == "0.0.0.0:9000")
        #expect(ListenAddress(bindAddress: "::1", port: 9000).description == "[::1]:9000")
        #expect(ListenAddress(bindAddress: "[::1]", port: 9000).description == "[::1]:9000")
    }
}
