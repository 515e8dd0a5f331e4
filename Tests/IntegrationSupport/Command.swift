import Foundation
import Synchronization

/// Runs a program to completion and returns its standard output; throws with its
/// standard error when it exits non-zero.
@discardableResult
package func run(_ arguments: [String], input: String? = nil) throws -> String {
    let result = try runAllowingFailure(arguments, input: input)
    guard result.status == 0 else {
        throw TestFailure("\(arguments.joined(separator: " ")) exited \(result.status): \(result.error)")
    }
    return result.output
}

/// Runs a program to completion; returns its exit status, standard output and error.
package func runAllowingFailure(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    let standardInput = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = standardInput
    try process.run()
    if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
    try standardInput.fileHandleForWriting.close()
    // Read both pipes before waiting, so a large output cannot fill a pipe and stall the child.
    let errorData = Mutex<Data>(Data())
    let errorReader = Thread { errorData.withLock { $0 = error.fileHandleForReading.readDataToEndOfFile() } }
    errorReader.start()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while errorReader.isExecuting || !errorReader.isFinished { Thread.sleep(forTimeInterval: 0.001) }
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            errorData.withLock { String(decoding: $0, as: UTF8.self) })
}

package struct TestFailure: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
