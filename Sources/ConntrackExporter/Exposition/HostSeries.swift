/// The hosts of one per-host table in label order, with their `host` labels rendered:
/// what a collector needs to write a sample per host in each family.
struct HostSeries<Value> {
    /// Each host's value, in label order.
    let values: [Value]
    /// Each host's label, at the same index as its value.
    let labels: RenderedLabels

    init(_ table: some Sequence<(key: HostKey, value: Value)>) {
        let hosts = table.sorted { $0.key < $1.key }
        // Closures, not key paths: a generic key path is looked up for every host.
        labels = RenderedLabels(hosts: hosts.lazy.map { $0.key })
        values = hosts.map { $0.value }
    }
}
