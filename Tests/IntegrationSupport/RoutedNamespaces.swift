/// Three test namespaces joined by veth pairs, a client, a router and a server, with
/// forwarding on in the router only:
///
///     client 198.18.1.2, 2001:db8:1::2 ── router 198.18.1.1 | 198.18.2.1 ── server 198.18.2.2, 2001:db8:2::2
///                                                2001:db8:1::1 | 2001:db8:2::1
///
/// Both ends route everything else through the router; removed with the namespaces.
package final class RoutedNamespaces {
    package let client: TestNamespace
    package let router: TestNamespace
    package let server: TestNamespace

    package init() throws {
        client = try TestNamespace()
        router = try TestNamespace()
        server = try TestNamespace()
        try run(["ip", "-n", client.name, "link", "add", "c0", "type", "veth", "peer", "name", "r0", "netns", router.name])
        try run(["ip", "-n", router.name, "link", "add", "r1", "type", "veth", "peer", "name", "s0", "netns", server.name])
        for (namespace, device, addresses) in [(client, "c0", ["198.18.1.2/24", "2001:db8:1::2/64"]),
                                                (router, "r0", ["198.18.1.1/24", "2001:db8:1::1/64"]),
                                                (router, "r1", ["198.18.2.1/24", "2001:db8:2::1/64"]),
                                                (server, "s0", ["198.18.2.2/24", "2001:db8:2::2/64"])] {
            for address in addresses { try namespace.exec(["ip", "addr", "add", address, "dev", device, "nodad"]) }
            try namespace.exec(["ip", "link", "set", device, "up"])
        }
        for (namespace, gateway, gateway6) in [(client, "198.18.1.1", "2001:db8:1::1"), (server, "198.18.2.1", "2001:db8:2::1")] {
            try namespace.exec(["ip", "route", "add", "default", "via", gateway])
            try namespace.exec(["ip", "-6", "route", "add", "default", "via", gateway6])
        }
        try router.sysctl("net.ipv4.ip_forward", "1")
        try router.sysctl("net.ipv6.conf.all.forwarding", "1")
    }
}
