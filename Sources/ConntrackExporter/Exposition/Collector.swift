/// One source of metrics, in the spirit of node_exporter's collectors: it reads its
/// source and writes its families. It reads everything before writing, so a failure
/// leaves no half-written family behind.
public protocol Collector {
    /// Reads the source and writes this collector's metric families.
    /// Throws, having written nothing, when the source cannot be read.
    func collect(into writer: inout ExpositionWriter) throws
}
