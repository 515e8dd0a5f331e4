import CConntrack

/// Passes a Swift closure to a C function that reports entries through a
/// `cct_entry_callback` and a context pointer; returns what the C function returns.
func withEntryCallback(
    _ body: (ConntrackEntry) -> Void,
    _ call: (cct_entry_callback, UnsafeMutableRawPointer) -> Int32
) -> Int32 {
    withoutActuallyEscaping(body) { body in
        var visitor = EntryVisitor(body: body)
        return withUnsafeMutablePointer(to: &visitor) { pointer in
            call({ entry, context in
                let visitor = context!.assumingMemoryBound(to: EntryVisitor.self)
                visitor.pointee.body(ConntrackEntry(raw: entry!.pointee))
            }, pointer)
        }
    }
}

/// Carries the Swift closure through the C callback's context pointer.
private struct EntryVisitor {
    let body: (ConntrackEntry) -> Void
}
