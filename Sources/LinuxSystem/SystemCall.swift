import Glibc

/// Runs a system call that returns -1 and sets errno on failure, retrying on EINTR,
/// and turns a failure into a ``SystemError`` naming `operation`.
@discardableResult
package func systemCall<Result: BinaryInteger>(
    _ operation: @autoclosure () -> String,
    _ call: () -> Result
) throws(SystemError) -> Result {
    while true {
        let result = call()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemError(operation: operation(), errno: code)
    }
}
