@testable import ConntrackModel
@testable import HostNames
import Testing

@Suite struct NamesFileTests {
    private static let file = """
        # names for the test networks
        198.18.0.0/16        lan.example.org
        198.18.0.0/24        office.example.org
        198.18.0.7           db-1.example.org
        198.18.0.0/24:5432   postgres.example.org   # every PostgreSQL of the office
        [2001:db8::/32]:443  web.example.org
        2001:db8::7          seven.example.org
        """

    private static func host(_ address: String, _ port: UInt16?) -> HostKey {
        HostKey(RemoteEndpoint(address: IPAddress(address)!, port: port ?? 0), mode: port == nil ? .address : .endpoint)
    }

    @Test(arguments: [
        ("198.18.0.7", 5432, "db-1.example.org"), ("198.18.0.7", 80, "db-1.example.org"), ("198.18.0.8", 5432, "postgres.example.org"),
        ("198.18.0.8", 80, "office.example.org"), ("198.18.9.9", 5432, "lan.example.org"), ("2001:db8::9", 443, "web.example.org"),
        ("2001:db8::7", 443, "seven.example.org"),
    ] as [(String, UInt16, String)])
    func theMostSpecificEntryWins(address: String, port: UInt16, name: String) throws {
        let names = try NamesFile(parsing: Self.file, path: "names")
        #expect(names.name(of: Self.host(address, port)) == name)
    }

    @Test func portEntriesDoNotNameHostsWithoutAPortAndOthersHaveNoName() throws {
        let names = try NamesFile(parsing: Self.file, path: "names")
        #expect(names.name(of: Self.host("2001:db8::9", nil)) == nil)
        #expect(names.name(of: Self.host("198.18.0.8", nil)) == "office.example.org")
        #expect(names.name(of: Self.host("198.19.0.1", 443)) == nil)
        #expect(try NamesFile(parsing: "198.18.0.9/24 unmasked.example\n", path: "n").name(of: Self.host("198.18.0.200", 1)) == "unmasked.example")
    }

    @Test(arguments: [
        ("198.18.0.7\n", 1, "expected an address"), ("ok.example 198.18.0.7\n", 1, "is not an address"),
        ("198.18.0.7 db-1\n198.18.0.8 bad\"name\n", 2, "is not a host name"), (":443 web\n", 1, "names no address"),
        ("198.18.0.7 a b\n", 1, "expected an address"), ("198.18.0.0/24 a\n198.18.0.9/24 b\n", 2, "named on line 1 already"),
    ] as [(String, Int, String)])
    func aBadLineIsAnErrorNamingIt(text: String, line: Int, reason: String) {
        #expect {
            try NamesFile(parsing: text, path: "names")
        } throws: { error in
            guard let error = error as? NamesFileError else { return false }
            return error.line == line && error.description.hasPrefix("names file names:\(line): ") && error.reason.contains(reason)
        }
    }
}
