/// The label sets of many series (one per host of a scrape), rendered once into one buffer:
/// one allocation for all of them, not a string per series, and reused by every family.
public struct RenderedLabels: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = []

    /// Renders `name="value",…` for each of `count` items: `value(item, label, &bytes)`
    /// appends the raw value of label `label` (an index into `names`) of item `item`, and it
    /// is escaped here as the text format requires.
    public init(count: Int, names: [String], value: (_ item: Int, _ label: Int, _ bytes: inout [UInt8]) -> Void) {
        starts.reserveCapacity(count + 1)
        bytes.reserveCapacity(count * 32 * names.count)
        for item in 0..<count {
            starts.append(bytes.count)
            for (label, name) in names.enumerated() {
                if label > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: name.utf8)
                bytes.append(contentsOf: "=\"".utf8)
                let valueStart = bytes.count
                value(item, label, &bytes)
                ExpositionWriter.escapeLabelValue(in: &bytes, from: valueStart)
                bytes.append(UInt8(ascii: "\""))
            }
        }
        starts.append(bytes.count)
    }

    /// Appends the labels of item `index` to `output`.
    func append(_ index: Int, to output: inout [UInt8]) {
        // Through a buffer pointer: a slice of `bytes` would retain it for every sample.
        bytes.withUnsafeBufferPointer { rendered in
            output.append(contentsOf: UnsafeBufferPointer(rebasing: rendered[starts[index]..<starts[index + 1]]))
        }
    }
}
