import CLinux
import Glibc

/// The process's Linux capabilities.
public enum Capabilities {
    /// Makes CAP_NET_ADMIN effective if it is permitted (a file capability `+p`).
    public static func raiseNetAdmin() throws(SystemError) {
        try systemCall("raising CAP_NET_ADMIN") { clinux_raise_net_admin() }
    }

    /// Keeps CAP_NET_ADMIN and drops every other capability, the bounding set's too, after
    /// switching to `user` when given. Call once every socket that needs more is open, and
    /// before starting any thread that lives on: the capability calls act on the calling
    /// thread alone (threads started afterwards inherit its sets).
    public static func keepOnlyNetAdmin(switchingTo user: UserAccount?) throws(SystemError) {
        let operation = user.map { "switching to user \($0.name) and dropping capabilities" } ?? "dropping capabilities"
        try systemCall(operation) {
            clinux_keep_only_net_admin(user == nil ? 0 : 1, user?.uid ?? 0, user?.gid ?? 0)
        }
    }
}

/// A user to run as, from the password database.
public struct UserAccount: Sendable {
    public let name: String
    public let uid: uid_t
    public let gid: gid_t

    /// Looks `nameOrID` up by name, else as a numeric user id; nil when neither exists.
    public init?(_ nameOrID: String) {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        if getpwnam_r(nameOrID, &entry, &buffer, buffer.count, &result) != 0 || result == nil {
            guard let id = uid_t(nameOrID), getpwuid_r(id, &entry, &buffer, buffer.count, &result) == 0, result != nil else {
                return nil
            }
        }
        name = String(cString: entry.pw_name)
        uid = entry.pw_uid
        gid = entry.pw_gid
    }
}
