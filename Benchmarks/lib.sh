# Sourced by every benchmark script: the network namespace "$ns" they run in, the exporter
# and floors started in it, CPU read from /proc, and the statistics (medians, spreads) every
# figure is reported with. Scripts set $ns and $work before sourcing; $bin is the release build.
root=${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
bin=${bin:-"$root/.build/release"}
runs=${RUNS:-7}
port=${port:-9318}
url="http://127.0.0.1:$port/metrics"
clock_ticks=$(getconf CLK_TCK)
exporter_pid=""
# $launch runs before the exporter and the floors (taskset -c 1 pins them to one core).
launch=${launch:-}

in_ns() { ip netns exec "$ns" "$@"; }

require_root_and_tools() {
    [ "$(id -u)" = 0 ] || { echo "run as root: the benchmark makes a network namespace" >&2; exit 1; }
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "missing $tool: see the README's benchmark command" >&2; exit 1; }
    done
    [ -x "$bin/conntrack_exporter" ] || { echo "build first: swift build -c release" >&2; exit 1; }
}

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

# raise_conntrack_max ENTRIES: tables past the machine-wide nf_conntrack_max need it raised, which
# only the initial namespace can do and which changes the whole machine: done only when the user
# asks (RAISE_CONNTRACK_MAX=1), and restored by cleanup.
saved_conntrack_max=""
raise_conntrack_max() {
    local current
    current=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
    [ "$1" -lt "$current" ] && return
    [ "${RAISE_CONNTRACK_MAX:-0}" = 1 ] || { echo "$1 entries need nf_conntrack_max above $current: set RAISE_CONNTRACK_MAX=1 to let the benchmark raise it for its run" >&2; exit 1; }
    [ -n "$saved_conntrack_max" ] || saved_conntrack_max=$current
    sysctl -q -w net.netfilter.nf_conntrack_max=$(( $1 + 100000 ))
}

# Kills what runs in the namespace, deletes it and the work folder, puts nf_conntrack_max back;
# the scripts trap EXIT with it.
cleanup() {
    [ -n "$saved_conntrack_max" ] && sysctl -q -w net.netfilter.nf_conntrack_max="$saved_conntrack_max" || true
    [ -n "$exporter_pid" ] && kill "$exporter_pid" 2>/dev/null || true
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
    rm -rf "$work" "/etc/netns/$ns"
}

# start_exporter [BIN_DIR] [FLAGS...]: the exporter of BIN_DIR (default $bin) on $port,
# ignoring its own port; waits until it answers. BIN_DIR is taken when it is a directory.
start_exporter() {
    local dir=$bin
    if [ $# -gt 0 ] && [ -d "$1" ]; then dir=$1; shift; fi
    # Not through in_ns: $! must be the exporter itself (ip netns exec and taskset exec it).
    # Every measured scrape reads the table: none is answered from the last read by its age, nor
    # from a table kept from events (auto, the default, could switch to it during a part).
    ip netns exec "$ns" $launch "$dir/conntrack_exporter" --web.listen-address "127.0.0.1:$port" --ignore-hosts ":$port" \
        --table.max-age 0 --table.source dump --log.level warn "$@" >/dev/null 2>"$work/exporter.log" &
    exporter_pid=$!
    for _ in $(seq 100); do in_ns curl -sf -o /dev/null "http://127.0.0.1:$port/" && return; sleep 0.1; done
    echo "exporter did not start: $(cat "$work/exporter.log")" >&2
    exit 1
}
stop_exporter() { kill "$exporter_pid"; wait "$exporter_pid" 2>/dev/null || true; exporter_pid=""; }

# Reads are paced: one starts no sooner than 4 times the last one's duration after it, and a
# scrape sooner gets the last read. A measured request waits that long first, so it reads.
paced() { sleep "$(awk '{ printf "%.3f", $1 * 4 + 0.02 }' "$work/last_read" 2>/dev/null || echo 0)"; }
timed_request() {
    paced
    in_ns curl -s -o /dev/null -w '%{time_total}\n' "$@" | tee "$work/last_read"
}
scrape_time() { timed_request "$@" "$url"; }
# The curl view with its default limit: the 100 connections idle longest.
view_time() { timed_request "http://127.0.0.1:$port/connections"; }
# user + system ticks of a process (or a thread's stat file).
ticks_of() { awk '{ print $14 + $15 }' "$1"; }
cpu_ticks() { ticks_of "/proc/$exporter_pid/stat"; }
# cpu_seconds_since TICKS: the exporter's CPU seconds since cpu_ticks gave TICKS.
cpu_seconds_since() { awk -v t="$(( $(cpu_ticks) - $1 ))" -v hz="$clock_ticks" 'BEGIN { print t / hz }'; }
# metric NAME [URL]: the value of the sample NAME (labels included) at URL (default $url).
metric() { in_ns curl -s "${2:-$url}" | awk -v name="$1" '$1 == name { print $2 }'; }
# rss_mib [PID]: resident memory of PID (default the exporter's) in MiB.
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/${1:-$exporter_pid}/status"; }
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }

# fill ENTRIES [HOSTS [UDP_PERCENT]]: a fresh table, 20% IPv6, at most 10,000 hosts by default.
fill() {
    in_ns conntrack -F 2>/dev/null || true
    local hosts=${2:-$(( $1 < 10000 ? $1 : 10000 ))}
    in_ns "$bin/conntrack-fill" --entries "$1" --hosts "$hosts" --ipv6-percent 20 --udp-percent "${3:-0}" --timeout 3600 >/dev/null
}

# Statistics over one number per line on standard input.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -g | awk 'NR == 1 { low = $1 } { high = $1 } END { printf "%.2f-%.2f", low, high }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
# column N FILE: the Nth field of every line.
column() { awk -v c="$1" '{ print $c }' "$2"; }

# interleaved [FLOOR_MODE]: $runs rounds against the running exporter, each a bare dump
# (floor mode "" or tcp) then three scrapes, paced so that each reads. Prints medians of floor
# wall, floor CPU, scrape wall, scrape CPU (seconds), then the spreads of each round's CPU and
# wall ratios.
interleaved() {
    : >"$work/i-runs"
    local floor before wall
    for _ in $(seq "$runs"); do
        floor=$(in_ns $launch "$bin/conntrack-dump-floor" 1 ${1:-} | awk '{ print $2, $3 }')
        cpu=0; wall=0
        for _ in 1 2 3; do
            paced
            before=$(cpu_ticks)
            wall=$(awk -v w="$wall" -v t="$(in_ns curl -s -o /dev/null -w '%{time_total}' "$url" | tee "$work/last_read")" 'BEGIN { print w + t }')
            cpu=$(( cpu + $(cpu_ticks) - before ))
        done
        echo "$floor $(awk -v w="$wall" 'BEGIN { print w / 3 }') $(awk -v t="$cpu" -v hz="$clock_ticks" 'BEGIN { print t / hz / 3 }')" >>"$work/i-runs"
    done
    local c
    for c in 1 2 3 4; do column "$c" "$work/i-runs" | median; done | tr '\n' ' '
    awk '{ print $4 / $2 }' "$work/i-runs" | spread; printf ' '
    awk '{ print $3 / $1 }' "$work/i-runs" | spread; echo
}

# Figures a part hands to the goals table and the README: name value, one per line.
record() { echo "$1 $2" >>"$work/figures"; }
figure() { awk -v n="$1" '$1 == n { v = $2 } END { print v }' "$work/figures"; }
