import ConntrackAggregation
import ConntrackModel
import Exposition

/// The hosts of one per-host table in label order, with their labels rendered once: what a
/// collector needs to write a sample per host in each of its families.
struct HostSeries<Value> {
    /// Each host's value, in label order.
    let values: [Value]
    /// Each host, in label order.
    let keys: [HostKey]
    /// Each host's labels, at the same index as its value.
    let labels: RenderedLabels

    init(_ table: some Sequence<(key: HostKey, value: Value)>, renderer: HostRenderer) {
        let hosts = table.sorted { $0.key < $1.key }
        // Labelled by name, two hosts can read the same (two addresses, one name): those keep
        // their addresses, so no series repeats. Each name is read once, so one arriving
        // meanwhile cannot make a repeat either.
        var byName: [String?] = []
        if renderer.labelsByName {
            byName = hosts.map { renderer.value(0, of: $0.key) }
            var first: [String: Int] = [:]
            for (index, value) in byName.enumerated() {
                guard let value else { continue }
                if let other = first[value] {
                    byName[index] = nil
                    byName[other] = nil
                } else {
                    first[value] = index
                }
            }
            for index in byName.indices where byName[index] == nil { byName[index] = renderer.addressValue(of: hosts[index].key) }
        }
        // Closures, not key paths: a generic key path is looked up for every host.
        labels = RenderedLabels(count: hosts.count, names: renderer.labelNames) { [byName] item, label, bytes in
            if label == 0, item < byName.count, let value = byName[item] {
                bytes.append(contentsOf: value.utf8)
            } else {
                renderer.appendValue(label, of: hosts[item].key, to: &bytes)
            }
        }
        values = hosts.map { $0.value }
        keys = hosts.map { $0.key }
    }

    /// Writes `family`: its header, then a sample per host whose `count` is not zero. A counter's
    /// series started at `created(host)` (seconds since the epoch) where given.
    func write(_ family: MetricDescriptor, created: ((HostKey) -> Double?)? = nil, into writer: inout ExpositionWriter,
               count: (Value) -> UInt64) {
        writer.header(family)
        let start = writer.created
        for (index, value) in values.enumerated() {
            let count = count(value)
            guard count > 0 else { continue }
            writer.created = created?(keys[index]) ?? start
            writer.sample(family.name, label: index, of: labels, value: count)
        }
        writer.created = start
    }

    /// Writes `family` split by a second label `name`: a sample per host and per `split`
    /// case whose `count` is not zero.
    func write<Split>(_ family: MetricDescriptor, split name: String, by cases: [Split], text: (Split) -> String,
                      created: ((HostKey) -> Double?)? = nil, into writer: inout ExpositionWriter, count: (Value, Split) -> UInt64) {
        writer.header(family)
        let texts = cases.map(text)
        let start = writer.created
        for (index, value) in values.enumerated() {
            writer.created = created?(keys[index]) ?? start
            for (split, splitText) in zip(cases, texts) {
                let count = count(value, split)
                if count > 0 { writer.sample(family.name, label: index, of: labels, extra: (name, splitText), value: count) }
            }
        }
        writer.created = start
    }
}
