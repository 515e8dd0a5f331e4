/// A label escaped and written out once, for the many samples that carry it: a host has
/// a sample in each of several families, and a scrape can list tens of thousands of hosts.
public struct RenderedLabel: Sendable {
    /// `name="value"`, escaped.
    let bytes: [UInt8]

    public init(_ name: String, _ value: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count + value.utf8.count + 3)
        ExpositionWriter.appendLabel(name, value, to: &bytes)
        self.bytes = bytes
    }
}
