import CLinux

/// Keeps memory the exporter frees from staying resident. A scrape of a table with a
/// hundred thousand hosts builds tens of megabytes that are freed at once; so are the event
/// counters of hosts forgotten after the host TTL.
public enum HeapPolicy {
    /// Allocations from this size get mappings of their own, unmapped when freed.
    public static let largeAllocationBytes = 1 << 20

    /// Call once at startup, before other threads start.
    public static func returnLargeAllocations() {
        _ = clinux_return_large_allocations(largeAllocationBytes)
    }

    /// Hands the heap's free pages back to the kernel (after forgetting many hosts).
    package static func releaseFreeMemory() {
        _ = clinux_release_free_memory()
    }
}
