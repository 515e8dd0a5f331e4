# Sourced by the benchmark scripts: the network namespace "$ns" they run in, with tracking
# switched on by one nftables rule, and `in_ns` to run a command there.
in_ns() { ip netns exec "$ns" "$@"; }

make_namespace() {
    ip netns add "$ns"
    in_ns ip link set lo up
    in_ns nft add table inet bench
    in_ns nft add chain inet bench out '{ type filter hook output priority 0; }'
    in_ns nft add rule inet bench out ct state new counter
    # Churn leaves entries in TIME_WAIT: keep them short in this namespace only, and keep its
    # ephemeral ports above the exporter's.
    in_ns sysctl -q -w net.netfilter.nf_conntrack_tcp_timeout_time_wait=1 net.netfilter.nf_conntrack_tcp_timeout_close=1
    in_ns sysctl -q -w net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 65535"
}
