/// Small servers as Python programs, for ``NamespaceProcess``.
package enum PythonServers {
    /// Accepts connections on `address`:`port` and holds them: never reads, never closes.
    package static func holding(port: Int, address: String = "127.0.0.1", family: String = "AF_INET") -> String {
        """
        import socket
        listener = socket.socket(socket.\(family))
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("\(address)", \(port)))
        listener.listen(1024)
        held = []
        while True:
            held.append(listener.accept()[0])
        """
    }
}
