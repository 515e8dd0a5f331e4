@testable import HostNames
import Testing

@Suite struct HostNameSyntaxTests {
    @Test(arguments: [("db-1.Example.ORG.", "db-1.example.org"), ("a", "a"), ("x1.y2", "x1.y2"), ("3com.example", "3com.example")])
    func acceptsHostNamesLowerCasedWithoutTheTrailingDot(raw: String, name: String) throws {
        #expect(try HostNameSyntax.validate(raw.utf8).get() == name)
    }

    @Test(arguments: [
        ("quo\"te.example", HostNameSyntax.Rejection.character), ("back\\slash.example", .character), ("new\nline.example", .character),
        ("nul\u{0}.example", .character), ("café.example", .character), ("under_score.example", .character),
        (String(repeating: "a", count: 64) + ".example", .length), (String(repeating: "abcdefghi.", count: 26), .length),
        ("a..b", .length), ("", .length), ("-lead.example", .hyphen), ("trail-.example", .hyphen), ("198.18.0.7", .address),
        ("198.18.0.7.", .address),
    ])
    func refusesWhatIsNoHostName(raw: String, rejection: HostNameSyntax.Rejection) {
        #expect(HostNameSyntax.validate(raw.utf8) == .failure(rejection))
    }
}
