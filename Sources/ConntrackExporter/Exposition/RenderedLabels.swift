/// The labels of one name for many series (every host of a scrape), rendered into one
/// buffer: one allocation for all of them, not one per host.
public struct RenderedLabels: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = []

    /// Renders `name="value"` for each of `values`, in order.
    public init<Values: Collection<String>>(_ name: String, _ values: Values) {
        starts.reserveCapacity(values.count + 1)
        bytes.reserveCapacity(values.count * (name.utf8.count + 24))
        for value in values {
            starts.append(bytes.count)
            ExpositionWriter.appendLabel(name, value, to: &bytes)
        }
        starts.append(bytes.count)
    }

    /// The label of the value at `index`.
    public subscript(index: Int) -> RenderedLabel {
        RenderedLabel(bytes: bytes[starts[index]..<starts[index + 1]])
    }
}
