import Testing
@testable import TextFormatting

@Suite struct DurationTextTests {
    @Test(arguments: [("0", 0), ("300", 300), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("2d", 172_800), ("1w", 604_800)] as [(String, UInt32)])
    func parsesDurations(text: String, seconds: UInt32) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "m", "5x", "5m3", "-1", "1.5h", "99999999999s", "1000000000000"])
    func refusesOtherDurations(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }
}
