import CLinux
import Glibc

/// Starts `body` on a new detached thread that runs until the process exits, named `name`
/// (at most 15 bytes) so that `top -H` and /proc/PID/task show what it is.
package func startDetachedThread(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box {
        _ = clinux_set_thread_name(name)
        body()
    }).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { context in
        let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    guard status == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        throw SystemError(operation: "starting a thread", errno: status)
    }
    pthread_detach(thread)
}
