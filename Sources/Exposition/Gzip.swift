import CGzip

/// gzip compression of response bodies (libdeflate).
public enum Gzip {
    /// The fastest level: a scrape body is mostly repeated metric names, which level 1
    /// already shrinks about tenfold, at a small fraction of the scrape's time.
    public static let level: Int32 = 1

    /// The gzip stream of `bytes`, nil if compression failed.
    public static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        let bound = cgzip_bound(bytes.count)
        guard bound > 0 else { return nil }
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            count = bytes.withUnsafeBufferPointer { input in
                cgzip_compress(input.baseAddress, input.count, out.baseAddress, out.count, level)
            }
        }
        return output.isEmpty ? nil : output
    }
}
