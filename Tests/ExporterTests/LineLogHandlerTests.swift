@testable import Exporter
import Testing

@Suite struct LineLogHandlerTests {
    @Test func writesLogfmt() {
        let line = LineLogHandler.line([("level", "info"), ("msg", "read the table"), ("err", "a \"b\""), ("n", "3")],
                                       format: .logfmt)
        #expect(line == #"level=info msg="read the table" err="a \"b\"" n=3"#)
    }

    @Test func writesJSON() {
        let line = LineLogHandler.line([("level", "warn"), ("msg", "two\nlines\u{1}")], format: .json)
        #expect(line == #"{"level":"warn","msg":"two\nlines\u0001"}"#)
    }
}
