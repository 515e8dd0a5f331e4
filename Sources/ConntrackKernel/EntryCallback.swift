import CConntrack

/// Passes a Swift closure to a C function that reports entries through a
/// `cct_entry_callback` and a context pointer; returns what the C function returns.
package func withEntryCallback(
    _ body: (ConntrackEntry) -> Void,
    _ call: (cct_entry_callback, UnsafeMutableRawPointer) -> Int32
) -> Int32 {
    withoutActuallyEscaping(body) { body in
        let visitor = EntryVisitor(body: body)
        return withExtendedLifetime(visitor) {
            call({ entry, context in
                // Borrowed, not retained: this runs for every entry of every dump.
                Unmanaged<EntryVisitor>.fromOpaque(context!)._withUnsafeGuaranteedRef {
                    $0.body(ConntrackEntry(raw: entry!.pointee))
                }
            }, Unmanaged.passUnretained(visitor).toOpaque())
        }
    }
}

/// Carries the Swift closure through the C callback's context pointer.
private final class EntryVisitor {
    package let body: (ConntrackEntry) -> Void

    package init(body: @escaping (ConntrackEntry) -> Void) {
        self.body = body
    }
}
