# Part: what names cost. unbound in the namespace serves a forward-confirmable name for every
# synthetic host (PTR, A, AAAA), reached through the namespace's own resolv.conf. At 250,000
# entries and 10,000 hosts: scrape CPU with reverse DNS on and its cache warm against names
# off, two exporters running side by side, scraped alternately; the resolver thread's CPU
# while it names the 10,000 hosts; then RSS with 100,000 names cached against none.
command -v unbound >/dev/null || { echo "missing unbound: see the README's benchmark command" >&2; exit 1; }
# names_config COUNT: unbound serving hosts 0..COUNT-1 as h-N.bench.example, both families, for an
# hour: the warm cache is not refreshed during the measured scrapes (a refresh costs what the resolver
# thread's CPU per 1,000 lookups below says, once per host per TTL).
names_config() {
    cat <<EOF
server:
    interface: 127.0.0.1
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$work"
    pidfile: ""
    use-syslog: no
    module-config: "iterator"
    access-control: 127.0.0.0/8 allow
    local-zone: "bench.example." static
    local-zone: "18.198.in-addr.arpa." static
    local-zone: "19.198.in-addr.arpa." static
    local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." static
EOF
    # Host N is 198.(18 + N / 65536).(N / 256 % 256).(N % 256) and 2001:db8::N (conntrack-fill).
    awk -v n="$1" 'BEGIN {
        for (h = 0; h < n; h++) {
            a = 18 + int(h / 65536); b = int(h / 256) % 256; c = h % 256
            v6 = sprintf("%x:%x", int(h / 65536), h % 65536)
            printf "    local-data: \"h-%d.bench.example. 3600 A 198.%d.%d.%d\"\n", h, a, b, c
            printf "    local-data: \"h-%d.bench.example. 3600 AAAA 2001:db8::%s\"\n", h, v6
            printf "    local-data-ptr: \"198.%d.%d.%d 3600 h-%d.bench.example.\"\n", a, b, c, h
            printf "    local-data-ptr: \"2001:db8::%s 3600 h-%d.bench.example.\"\n", v6, h
        }
    }'
}
start_unbound() {
    [ -n "${unbound_pid:-}" ] && { kill "$unbound_pid"; wait "$unbound_pid" 2>/dev/null || true; }
    names_config "$1" >"$work/unbound.conf"
    in_ns unbound -d -c "$work/unbound.conf" 2>>"$work/unbound.log" &
    unbound_pid=$!
    # Ready once it answers from its records (getent resolves through the namespace's resolv.conf; not ahosts, whose AI_ADDRCONFIG asks nothing in a namespace with only loopback).
    for _ in $(seq 300); do in_ns getent hosts "h-$(( $1 - 1 )).bench.example" >/dev/null && return; sleep 0.2; done
    echo "unbound did not start: $(cat "$work/unbound.log")" >&2
    exit 1
}
# names_ticks: CPU ticks of the exporter's resolver thread (ct-names).
names_ticks() {
    local task
    for task in /proc/"$exporter_pid"/task/*; do
        [ "$(cat "$task/comm")" = ct-names ] && { ticks_of "$task/stat"; return; }
    done
    echo 0
}
# wait_named COUNT: scrapes (each asks for its hosts' names) until COUNT are named.
wait_named() {
    local named
    for _ in $(seq 600); do
        named=$(metric 'conntrack_exporter_name_lookups_total{result="named"}' "http://127.0.0.1:$port/metrics")
        [ "${named:-0}" -ge "$1" ] && return
        sleep 1
    done
    echo "only ${named:-0} of $1 hosts named" >&2
    exit 1
}

mkdir -p "/etc/netns/$ns"
echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
start_unbound 10000
fill 250000 10000
# Names off on one port, on (and warmed) on another; both keep series for all 10,000 hosts.
port=9318 start_exporter --max-hosts 10000
off_pid=$exporter_pid; exporter_pid=""
port=9320 start_exporter --max-hosts 10000 --names.dns --names.cache-size 20000 --names.dns-rate 500
on_pid=$exporter_pid
before=$(names_ticks)
started=$(date +%s.%N)
port=9320 wait_named 10000
resolve_seconds=$(seconds_since "$started")
resolver_cpu=$(awk -v t=$(( $(names_ticks) - before )) -v hz="$clock_ticks" 'BEGIN { print t / hz }')
# scrape_cost PID PORT: CPU seconds and wall seconds of one gzip scrape (which reads: pacing is waited out).
scrape_cost() {
    local before
    paced
    before=$(ticks_of "/proc/$1/stat")
    in_ns curl -s -o /dev/null -w '%{time_total}' -H 'Accept-Encoding: gzip' "http://127.0.0.1:$2/metrics" >"$work/last_read"
    awk -v t=$(( $(ticks_of "/proc/$1/stat") - before )) -v hz="$clock_ticks" -v wall="$(cat "$work/last_read")" 'BEGIN { print t / hz, wall }'
}
# alternate ON_PID FILE: $runs rounds of three scrapes each of names off (9318) and on (ON_PID on
# 9320), in turn, which goes first alternating by round; FILE gets each round's means:
# CPU off, CPU on, wall off, wall on.
alternate() {
    : >"$2"
    for round in $(seq "$runs"); do
        for _ in 1 2 3; do
            if [ $((round % 2)) = 1 ]; then
                echo "off $(scrape_cost "$off_pid" 9318)"; echo "on $(scrape_cost "$1" 9320)"
            else
                echo "on $(scrape_cost "$1" 9320)"; echo "off $(scrape_cost "$off_pid" 9318)"
            fi
        done | awk '{ cpu[$1] += $2; wall[$1] += $3 } END { print cpu["off"] / 3, cpu["on"] / 3, wall["off"] / 3, wall["on"] / 3 }' >>"$2"
    done
}
alternate "$on_pid" "$work/names"
info_rows=$(in_ns curl -s "http://127.0.0.1:9320/metrics" | grep -c '^conntrack_host_info{')
off_rss=$(rss_mib "$off_pid")
on_rss=$(rss_mib "$on_pid")
stop_exporter
names_off_cpu=$(column 1 "$work/names" | median)
names_on_cpu=$(column 2 "$work/names" | median)
record names.ratio "$(awk '{ print $2 / $1 }' "$work/names" | median)"

# The DNS server unreachable (its queries dropped on arrival: dropped on output, the sender would get
# EPERM at once): a names-on exporter with nothing cached, every lookup timing out, against names off.
in_ns nft -f - <<'NFT'
table inet cte_bench_dns {
    chain in { type filter hook input priority 0; udp dport 53 drop; tcp dport 53 drop; }
}
NFT
port=9320 start_exporter --max-hosts 10000 --names.dns --names.cache-size 20000 --names.dns-rate 500
alternate "$exporter_pid" "$work/names_unreachable"
timeouts=$(metric 'conntrack_exporter_name_lookups_total{result="timeout"}' "http://127.0.0.1:9320/metrics")
stop_exporter
in_ns nft delete table inet cte_bench_dns
record names.unreachable_wall "$(awk '{ print $4 / $3 }' "$work/names_unreachable" | median)"
kill "$off_pid"; wait "$off_pid" 2>/dev/null || true

# 100,000 names cached: RSS against the same exporter without names, at the same table.
start_unbound 100000
fill 250000 100000
port=9318 start_exporter --max-hosts 100000
in_ns curl -s -o /dev/null "http://127.0.0.1:9318/metrics"
wide_off_rss=$(rss_mib)
stop_exporter
port=9320 start_exporter --max-hosts 100000 --names.dns --names.cache-size 100000 --names.dns-rate 2000
port=9320 wait_named 100000
in_ns curl -s -o /dev/null "http://127.0.0.1:9320/metrics"
wide_entries=$(metric conntrack_exporter_name_cache_entries "http://127.0.0.1:9320/metrics")
wide_on_rss=$(rss_mib)
stop_exporter
kill "$unbound_pid"; wait "$unbound_pid" 2>/dev/null || true; unbound_pid=""
rm -rf "/etc/netns/$ns"
record names.rss_growth "$(awk -v a="$wide_on_rss" -v b="$wide_off_rss" 'BEGIN { print a - b }')"

echo "## Names"
echo
echo "Reverse DNS (\`--names.dns\`, forward-confirmed) against unbound in the namespace, which names every synthetic host."
echo "Scrape CPU: two exporters side by side at 250,000 entries and 10,000 hosts with \`--max-hosts 10000\`, names off and"
echo "on with all 10,000 named first, scraped alternately (gzip, each scrape reading): medians of $runs rounds' means of three scrapes."
echo
echo "| figure | names off | names on | on / off (spread) |"
echo "| --- | ---: | ---: | ---: |"
echo "| CPU per scrape, 250k / 10k hosts | $(ms "$names_off_cpu") ms | $(ms "$names_on_cpu") ms | $(awk '{ print $2 / $1 }' "$work/names" | median | xargs printf '%.3f') ($(awk '{ print $2 / $1 }' "$work/names" | spread)) |"
echo "| scrape wall time, DNS unreachable (queries dropped, nothing cached) | $(ms "$(column 3 "$work/names_unreachable" | median)") ms | $(ms "$(column 4 "$work/names_unreachable" | median)") ms | $(awk '{ print $4 / $3 }' "$work/names_unreachable" | median | xargs printf '%.3f') ($(awk '{ print $4 / $3 }' "$work/names_unreachable" | spread)) |"
echo "| CPU per scrape, DNS unreachable | $(ms "$(column 1 "$work/names_unreachable" | median)") ms | $(ms "$(column 2 "$work/names_unreachable" | median)") ms | $(awk '{ print $2 / $1 }' "$work/names_unreachable" | median | xargs printf '%.3f') ($(awk '{ print $2 / $1 }' "$work/names_unreachable" | spread)) |"
echo "| RSS, 250k / 10k hosts | $off_rss MiB | $on_rss MiB | |"
echo "| RSS, 250k / 100k hosts, $wide_entries names cached | $wide_off_rss MiB | $wide_on_rss MiB | +$(figure names.rss_growth) MiB |"
echo
echo "With the server unreachable, ${timeouts:-0} lookups had timed out by the end of those rounds (2 s, tried twice, 8 at a time);"
echo "the CPU figure includes the resolver thread's."
echo "The names-on exporter wrote $info_rows \`conntrack_host_info\` rows. Naming the 10,000 hosts (a PTR and a forward query each,"
echo "\`--names.dns-rate 500\`) took $(printf '%.1f' "$resolve_seconds") s and $(ms "$resolver_cpu") ms of the resolver thread's CPU: $(awk -v c="$resolver_cpu" 'BEGIN { printf "%.2f", c * 1000 / 10 }') ms per 1,000 lookups."
