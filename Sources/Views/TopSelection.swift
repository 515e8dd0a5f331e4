/// Keeps the `limit` greatest of any number of offered elements in memory bounded by twice
/// the limit: when the buffer fills it is sorted and cut, and elements not above the
/// smallest kept one are no longer stored.
struct TopSelection<Element: Comparable & Sendable>: Sendable {
    let limit: Int
    /// Elements offered, kept or not.
    private(set) var offered = 0
    private var kept: [Element] = []
    private var floor: Element?

    init(limit: Int) {
        self.limit = limit
    }

    mutating func offer(_ element: Element) {
        offered += 1
        if let floor, element <= floor { return }
        kept.append(element)
        if kept.count >= 2 * limit { trim() }
    }

    /// The kept elements, greatest first.
    var elements: [Element] {
        Array(kept.sorted(by: >).prefix(limit))
    }

    private mutating func trim() {
        kept.sort(by: >)
        kept.removeSubrange(limit...)
        floor = kept.last
    }
}
