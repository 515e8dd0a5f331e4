// libFuzzer target: arbitrary bytes through the HTTP request parser, compiled with the
// parser's own source files (Tests/Fuzz/run.sh).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if case .request(let request, let length) = HTTPRequestParser.parse(bytes) {
        precondition(length > 0 && length <= min(size, HTTPRequestParser.maxHeadSize), "head length out of range")
        _ = (request.keepAlive, request.acceptsGzip, request.hasBody)
    }
    return 0
}
