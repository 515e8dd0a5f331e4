import ConntrackAggregation
import ConntrackModel
import Exposition

/// The hosts of one per-host table in label order, with their labels rendered once: what a
/// collector needs to write a sample per host in each of its families.
struct HostSeries<Value> {
    /// Each host's value, in label order.
    let values: [Value]
    /// Each host's labels, at the same index as its value.
    let labels: RenderedLabels

    init(_ table: some Sequence<(key: HostKey, value: Value)>, renderer: HostRenderer) {
        let hosts = table.sorted { $0.key < $1.key }
        // Labelled by name, two hosts can read the same (two addresses, one name): those keep
        // their addresses, so no series repeats.
        var colliding = Set<Int>()
        if renderer.labelsByName {
            var first: [String: Int] = [:]
            for (index, host) in hosts.enumerated() {
                let value = renderer.value(0, of: host.key)
                if let other = first[value] { colliding.formUnion([index, other]) } else { first[value] = index }
            }
        }
        // Closures, not key paths: a generic key path is looked up for every host.
        labels = RenderedLabels(count: hosts.count, names: renderer.labelNames) { item, label, bytes in
            if colliding.contains(item) {
                hosts[item].key.appendText(to: &bytes)
            } else {
                renderer.appendValue(label, of: hosts[item].key, to: &bytes)
            }
        }
        values = hosts.map { $0.value }
    }

    /// Writes `family`: its header, then a sample per host whose `count` is not zero.
    func write(_ family: MetricDescriptor, into writer: inout ExpositionWriter, count: (Value) -> UInt64) {
        writer.header(family)
        for (index, value) in values.enumerated() {
            let count = count(value)
            if count > 0 { writer.sample(family.name, label: index, of: labels, value: count) }
        }
    }

    /// Writes `family` split by a second label `name`: a sample per host and per `split`
    /// case whose `count` is not zero.
    func write<Split>(_ family: MetricDescriptor, split name: String, by cases: [Split], text: (Split) -> String,
                      into writer: inout ExpositionWriter, count: (Value, Split) -> UInt64) {
        writer.header(family)
        let texts = cases.map(text)
        for (index, value) in values.enumerated() {
            for (split, splitText) in zip(cases, texts) {
                let count = count(value, split)
                if count > 0 { writer.sample(family.name, label: index, of: labels, extra: (name, splitText), value: count) }
            }
        }
    }
}
