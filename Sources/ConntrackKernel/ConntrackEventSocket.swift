import CConntrack
import Glibc
import LinuxSystem

/// A netlink socket subscribed to the kernel's NEW and DESTROY conntrack events (and UPDATE,
/// when asked), with an in-kernel filter that drops all but TCP, and the UPDATE events that
/// move no count, before they are queued (see `cct_events_open`).
public final class ConntrackEventSocket {
    private let handle: NetlinkHandle

    /// Subscribes now. Events that arrive before the first ``receive(_:)`` wait in the
    /// receive buffer, asked to be `bufferBytes` (the kernel grants twice that). With `updates`,
    /// every state change of every entry comes too (the kernel builds those in the packet path).
    public init(bufferBytes: Int, updates: Bool = false) throws(SystemError) {
        handle = try NetlinkHandle("subscribing to conntrack events") { cct_events_open(Int32(clamping: bufferBytes), updates ? 1 : 0) }
    }

    /// The descriptor to poll for events.
    public var fd: Int32 { handle.fd }

    /// Events the kernel dropped because the receive buffer was full, since subscribing.
    public func lostEvents() throws(SystemError) -> UInt64 {
        try NetlinkDrops.count(forSocket: fd)
    }

    /// Messages dropped because another process, not the kernel, sent them to this socket.
    public var rejectedMessages: UInt64 { cct_socket_rejected(handle.pointer) }

    /// The receive buffer the kernel granted, in bytes.
    public var bufferBytes: Int { Int(cct_events_buffer_size(handle.pointer)) }

    /// Starts or stops receiving UPDATE events on this socket.
    public func receiveUpdates(_ on: Bool) throws(SystemError) {
        guard cct_events_set_updates(handle.pointer, on ? 1 : 0) == 0 else {
            throw SystemError(operation: on ? "subscribing to conntrack UPDATE events" : "leaving conntrack UPDATE events", errno: errno)
        }
    }

    /// Asks for a larger receive buffer.
    public func requestBuffer(bytes: Int) throws(SystemError) {
        guard cct_events_set_buffer_size(handle.pointer, Int32(clamping: bytes)) == 0 else {
            throw SystemError(operation: "resizing the event receive buffer", errno: errno)
        }
    }

    /// Handles the events queued now, without blocking; returns how many were read.
    /// Throws ENOBUFS when the kernel dropped events because the buffer was full.
    public func receive(_ body: (ConntrackEntry) -> Void) throws(SystemError) -> Int {
        let result = withEntryCallback(body) { callback, context in cct_events_receive(handle.pointer, callback, context) }
        guard result >= 0 else { throw SystemError(operation: "receiving conntrack events", errno: errno) }
        return Int(result)
    }
}
