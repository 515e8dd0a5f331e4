/// A label escaped and written out once, for the many samples that carry it: a host has
/// a sample in each of several families, and a scrape can list a hundred thousand hosts.
public struct RenderedLabel: Sendable {
    /// `name="value"`, escaped.
    let bytes: ArraySlice<UInt8>
}
