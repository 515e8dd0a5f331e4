@testable import ConntrackAggregation
@testable import ConntrackModel
import TestFixtures
import Testing

@Suite struct IgnoreRuleTests {
    @Test(arguments: [
        ("198.18.0.7", "198.18.0.7"),
        ("198.18.0.7:5432", "198.18.0.7:5432"),
        ("2001:db8::7", "2001:db8::7"),
        ("[2001:db8::7]:443", "[2001:db8::7]:443"),
        ("198.18.0.0/15", "198.18.0.0/15"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("198.18.0.0/15:443", "198.18.0.0/15:443"),
        ("[2001:db8::/32]:443", "[2001:db8::/32]:443"),
        (":9318", ":9318"),
        ("*:9318", ":9318"),
        ("::1", "::1"),
    ])
    func parsesEveryForm(text: String, normalized: String) throws {
        #expect(try IgnoreRule(parsing: text).description == normalized)
    }

    @Test(arguments: [
        "", "*", ":", ":0", ":65536", ":http", "198.18.0.7:", "198.18.0.7:99999", "198.18.0.0/33",
        "2001:db8::/129", "[2001:db8::7", "[2001:db8::7]443", "host.example", "198.18.0.0/x", "2001:db8::7:443x",
    ])
    func rejectsMalformedEntries(text: String) {
        #expect(throws: IgnoreRuleError.self) { try IgnoreRule(parsing: text) }
    }

    @Test func errorNamesTheEntry() {
        #expect {
            try IgnoreList(parsing: ["198.18.0.7, bogus"])
        } throws: { error in
            "\(error)".contains("\"bogus\"")
        }
    }

    @Test func matchesAddressPortAndNetwork() throws {
        let address = try IgnoreRule(parsing: "198.18.0.7")
        #expect(address.matches(endpoint("198.18.0.7", 1)))
        #expect(!address.matches(endpoint("198.18.0.8", 1)))

        let addressPort = try IgnoreRule(parsing: "198.18.0.7:5432")
        #expect(addressPort.matches(endpoint("198.18.0.7", 5432)))
        #expect(!addressPort.matches(endpoint("198.18.0.7", 5433)))

        let network = try IgnoreRule(parsing: "198.18.0.0/15:443")
        #expect(network.matches(endpoint("198.19.255.1", 443)))
        #expect(!network.matches(endpoint("198.20.0.1", 443)))
        #expect(!network.matches(endpoint("198.18.0.1", 80)))

        let port = try IgnoreRule(parsing: ":9318")
        #expect(port.matches(endpoint("2001:db8::1", 9318)))
        #expect(port.matches(endpoint("198.18.0.1", 9318)))
        #expect(!port.matches(endpoint("198.18.0.1", 9319)))

        let v6 = try IgnoreRule(parsing: "[2001:db8::/32]:443")
        #expect(v6.matches(endpoint("2001:db8:ffff::1", 443)))
        #expect(!v6.matches(endpoint("2001:db9::1", 443)))
        #expect(!v6.matches(endpoint("198.18.0.1", 443)))
    }

    @Test func listParsesCommasSpacesAndRepeats() throws {
        let list = try IgnoreList(parsing: ["198.18.0.7, :22", "2001:db8::/32", "  "])
        #expect(list.rules.count == 3)
        #expect(list.matches(endpoint("198.18.0.9", 22)))
        #expect(list.matches(endpoint("2001:db8::5", 80)))
        #expect(!list.matches(endpoint("198.18.0.9", 80)))
        #expect(try IgnoreList(parsing: []).rules.isEmpty)
        #expect(throws: IgnoreRuleError.self) { try IgnoreList(parsing: ["198.18.0.7,,:22"]) }
    }

    @Test func ignoredConnectionsAreCountedNowhere() throws {
        var table = makeTable(ignore: try IgnoreList(parsing: [":5432"]), mode: .address)
        table.add(makeEntry(from: "198.18.0.7", 40000, to: "127.0.0.1", 5432))
        table.add(makeEntry(from: "198.18.0.7", 40001, to: "127.0.0.1", 22))
        #expect(table.counts == [HostKey(endpoint("198.18.0.7", 22), mode: .address): counts(open: 1)])
    }
}

func counts(opening: UInt32 = 0, open: UInt32 = 0, closing: UInt32 = 0, closed: UInt32 = 0) -> StateCounts {
    var counts = StateCounts()
    counts[.opening] = opening
    counts[.open] = open
    counts[.closing] = closing
    counts[.closed] = closed
    return counts
}
