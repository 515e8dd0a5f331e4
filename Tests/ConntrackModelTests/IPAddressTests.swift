@testable import ConntrackModel
import Testing

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("198.18.0.7", "198.18.0.7"),
        ("2001:DB8:0:0:0:0:0:7", "2001:db8::7"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::1", "::1"),
        ("::ffff:198.18.0.1", "::ffff:198.18.0.1"),
    ])
    func printsCanonicalForm(input: String, canonical: String) throws {
        #expect(try #require(IPAddress(input)).description == canonical)
    }

    /// IPv4 is formatted without inet_ntop: every octet width, both ends of the range.
    @Test(arguments: ["0.0.0.0", "255.255.255.255", "1.20.100.9", "10.0.0.1", "127.0.0.1", "198.19.255.0", "9.99.199.200"])
    func printsIPv4AsDottedDecimal(text: String) throws {
        #expect(try #require(IPAddress(text)).description == text)
    }

    @Test(arguments: ["", "198.18.0", "198.18.0.256", "2001:db8::7::1", "host.example", "[::1]"])
    func rejectsNonAddresses(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func matchesPrefixes() throws {
        let address = try #require(IPAddress("198.18.3.4"))
        #expect(address.hasPrefix(try #require(IPAddress("198.18.0.0")), length: 15))
        #expect(!address.hasPrefix(try #require(IPAddress("198.20.0.0")), length: 15))
        #expect(address.hasPrefix(try #require(IPAddress("10.0.0.0")), length: 0))
        #expect(!address.hasPrefix(try #require(IPAddress("::")), length: 0), "families never match")
        let v6 = try #require(IPAddress("2001:db8:1::5"))
        #expect(v6.hasPrefix(try #require(IPAddress("2001:db8::")), length: 32))
        #expect(!v6.hasPrefix(try #require(IPAddress("2001:db8::")), length: 48))
        #expect(v6.hasPrefix(v6, length: 128))
    }
}
