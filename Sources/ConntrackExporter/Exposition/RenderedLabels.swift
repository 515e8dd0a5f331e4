/// The `host` labels of many series (every host of a scrape), rendered into one buffer:
/// one allocation for all of them, not a string per host.
public struct RenderedLabels: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = []

    /// Renders `host="value"` for each of `hosts`, in order. Host text is digits, hex
    /// letters, `.`, `:`, `[`, `]` or `other`: nothing a label value must escape.
    public init<Hosts: Collection<HostKey>>(hosts: Hosts) {
        starts.reserveCapacity(hosts.count + 1)
        bytes.reserveCapacity(hosts.count * 32)
        for host in hosts {
            starts.append(bytes.count)
            bytes.append(contentsOf: "host=\"".utf8)
            host.appendText(to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        starts.append(bytes.count)
    }

    /// Appends the label at `index` to `output`.
    func append(_ index: Int, to output: inout [UInt8]) {
        // Through a buffer pointer: a slice of `bytes` would retain it for every sample.
        bytes.withUnsafeBufferPointer { rendered in
            output.append(contentsOf: UnsafeBufferPointer(rebasing: rendered[starts[index]..<starts[index + 1]]))
        }
    }
}
