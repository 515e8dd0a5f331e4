/// One source of metrics, in the spirit of node_exporter's collectors: it reads its source
/// and writes its families. `Context` is what every collector of one scrape shares (a table
/// read, say), so a source read once serves several.
public protocol Collector<Context> {
    associatedtype Context

    /// Reads the source and writes this collector's metric families. When it throws, the
    /// registry drops whatever it wrote, so no half-written family is served.
    func collect(_ context: Context, into writer: inout ExpositionWriter) throws
}
