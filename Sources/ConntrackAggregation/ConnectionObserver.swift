import ConntrackKernel

/// Sees every counted connection of a table read as the read counts it, with the entry it
/// came from: how a curl view selects its rows in the same pass as the gauges. The read
/// path knows observers only through this protocol.
public protocol ConnectionObserver: AnyObject, Sendable {
    /// Called on the reading thread, once per counted connection; `entry` is valid only
    /// during the call.
    func observe(_ connection: TrackedConnection, entry: ConntrackEntry)
}
