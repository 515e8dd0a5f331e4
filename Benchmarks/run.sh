#!/usr/bin/env bash
# The benchmark: what the exporter costs the machine it watches, against the kernel's
# floor, in a network namespace of its own. Run as root from the repository:
#   Benchmarks/run.sh
# Writes BENCHMARKS.md and Benchmarks/scrape-vs-floor.png. Not a test: numbers vary with
# the machine's load, so every figure is a median of several runs, and ratios compare
# runs taken alternately in one session.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# Kept identical to the README's benchmark command.
benchmark_command="apt-get update && apt-get install -y libnetfilter-conntrack-dev libmnl-dev zlib1g-dev libssl-dev libcrypt-dev libyaml-dev pkg-config conntrack nftables iproute2 procps curl gnuplot-nox linux-perf slowhttptest wrk && swift build -c release && Benchmarks/run.sh"
bin="$root/.build/release"
runs=${RUNS:-7}
sizes=${SIZES:-"1000 10000 100000 250000"}
churn_seconds=${CHURN_SECONDS:-5}
churn_rounds=${CHURN_ROUNDS:-5}
ns="cte-bench-$$"
port=9318
url="http://127.0.0.1:$port/metrics"
work=$(mktemp -d)
exporter_pid=""

cleanup() {
    [ -n "$exporter_pid" ] && kill "$exporter_pid" 2>/dev/null || true
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "run as root: the benchmark makes a network namespace" >&2; exit 1; }
for tool in curl conntrack nft gnuplot perf; do
    command -v "$tool" >/dev/null || { echo "missing $tool: see the README's benchmark command" >&2; exit 1; }
done
[ -x "$bin/conntrack_exporter" ] || { echo "build first: swift build -c release" >&2; exit 1; }

. "$root/Benchmarks/namespace.sh"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

make_namespace

start_exporter() {
    # Not through in_ns: $! must be the exporter itself (ip netns exec execs it).
    ip netns exec "$ns" "$bin/conntrack_exporter" --web.listen-address "127.0.0.1:$port" --ignore-hosts ":$port" \
        --log.level warn >/dev/null 2>"$work/exporter.log" &
    exporter_pid=$!
    for _ in $(seq 100); do in_ns curl -sf -o /dev/null "http://127.0.0.1:$port/" && return; sleep 0.1; done
    echo "exporter did not start: $(cat "$work/exporter.log")" >&2
    exit 1
}
stop_exporter() { kill "$exporter_pid"; wait "$exporter_pid" 2>/dev/null || true; exporter_pid=""; }
scrape_time() { in_ns curl -s -o /dev/null -w '%{time_total}\n' "$@" "$url"; }
# The curl view with its default limit: the 100 connections idle longest.
view_time() { in_ns curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/connections"; }
# Wall and CPU seconds of one bare dump.
floor_time() { in_ns "$bin/conntrack-dump-floor" 1 | awk '{ print $2, $3 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$exporter_pid/stat"; }
metric() { in_ns curl -s "$url" | awk -v name="$1" '$1 == name { print $2 }'; }
fill() {
    in_ns conntrack -F 2>/dev/null || true
    local hosts=$(( $1 < 10000 ? $1 : 10000 ))
    in_ns "$bin/conntrack-fill" --entries "$1" --hosts "$hosts" --ipv6-percent 20 --udp-percent 0 --timeout 3600 >/dev/null
}
by_hand() {
    # What users do without an exporter: list the table and count per destination and state.
    in_ns sh -c 'conntrack -L -p tcp 2>/dev/null | awk "{ split(\$6, d, \"=\"); split(\$8, p, \"=\"); n[d[2] \":\" p[2] \" \" \$4]++ } END { print length(n) }" >/dev/null'
}

clock_ticks=$(getconf CLK_TCK)
results="$work/results"
: >"$results"
for size in $sizes; do
    echo "table of $size entries" >&2
    fill "$size"
    start_exporter
    scrape_time >/dev/null
    : >"$work/floor"; : >"$work/scrape"; : >"$work/gzip"; : >"$work/view"
    for _ in $(seq "$runs"); do
        floor_time >>"$work/floor"
        scrape_time >>"$work/scrape"
        scrape_time -H 'Accept-Encoding: gzip' >>"$work/gzip"
        view_time >>"$work/view"
    done
    floor=$(awk '{ print $1 }' "$work/floor" | median); floor_cpu=$(awk '{ print $2 }' "$work/floor" | median)
    scrape=$(median <"$work/scrape"); gzip=$(median <"$work/gzip")
    view=$(median <"$work/view")
    # Each run's scrape over the floor measured just before it: the spread of the ratio.
    spread=$(paste -d ' ' "$work/floor" "$work/scrape" | awk '{ print $3 / $1 }' | sort -g \
        | awk 'NR == 1 { low = $1 } { high = $1 } END { printf "%.2f-%.2f", low, high }')

    before=$(cpu_ticks)
    for _ in $(seq 10); do scrape_time >/dev/null; done
    cpu=$(awk -v a="$before" -v b="$(cpu_ticks)" -v hz="$clock_ticks" 'BEGIN { printf "%.3f", (b - a) / hz / 10 }')
    before=$(cpu_ticks)
    for _ in $(seq 10); do view_time >/dev/null; done
    view_cpu=$(awk -v a="$before" -v b="$(cpu_ticks)" -v hz="$clock_ticks" 'BEGIN { printf "%.3f", (b - a) / hz / 10 }')
    rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$exporter_pid/status")

    : >"$work/concurrent"
    for _ in $(seq 5); do
        start=$(date +%s.%N)
        for _ in $(seq 10); do scrape_time >/dev/null & done
        wait $(jobs -p | grep -v "^$exporter_pid$") 2>/dev/null || true
        awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }' >>"$work/concurrent"
    done
    concurrent=$(median <"$work/concurrent")

    # Compression alone: zlib level 1 (the exporter's) over this size's body, by gzip(1).
    in_ns curl -s -o "$work/body" "$url"
    : >"$work/compress"
    for _ in $(seq "$runs"); do
        start=$(date +%s.%N); gzip -1 -c "$work/body" >/dev/null
        awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }' >>"$work/compress"
    done
    compress=$(median <"$work/compress")

    : >"$work/hand"
    for _ in 1 2 3; do
        start=$(date +%s.%N); by_hand
        awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }' >>"$work/hand"
    done
    hand=$(median <"$work/hand")
    stop_exporter
    echo "$size $floor $scrape $gzip $cpu $rss $concurrent $hand $compress $spread $view $view_cpu $floor_cpu" >>"$results"
done

echo "observer effect" >&2
in_ns conntrack -F 2>/dev/null || true
churn() { in_ns "$bin/conntrack-churn" "$churn_seconds" 2 7999; }
: >"$work/churn-none"; : >"$work/churn-exporter"; : >"$work/churn-conntrack"
for _ in $(seq "$churn_rounds"); do
    churn >>"$work/churn-none"
    start_exporter
    (while :; do in_ns curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$url"; sleep 1; done) &
    scraper=$!
    churn >>"$work/churn-exporter"
    kill "$scraper"; wait "$scraper" 2>/dev/null || true
    overflows=$(metric conntrack_exporter_event_overflows_total)
    stop_exporter
    ip netns exec "$ns" conntrack -E -e NEW,DESTROY >/dev/null 2>&1 &
    listener=$!
    sleep 0.2
    churn >>"$work/churn-conntrack"
    kill "$listener"; wait "$listener" 2>/dev/null || true
done
churn_none=$(median <"$work/churn-none"); churn_exporter=$(median <"$work/churn-exporter")
churn_conntrack=$(median <"$work/churn-conntrack")

echo "event capacity" >&2
in_ns conntrack -F 2>/dev/null || true
start_exporter
kill -STOP "$exporter_pid"
in_ns "$bin/conntrack-fill" --entries 60000 --hosts 1000 --udp-percent 0 --timeout 3600 >/dev/null
kill -CONT "$exporter_pid"
sleep 2
stalled_events=$(in_ns curl -s "$url" | awk '$1 == "conntrack_exporter_events_total{type=\"new\"}" { print $2 }')
in_ns conntrack -F 2>/dev/null || true
stop_exporter
start_exporter
burst_start=$(date +%s.%N)
in_ns "$bin/conntrack-fill" --entries 250000 --hosts 10000 --udp-percent 0 --timeout 3600 >/dev/null
burst_seconds=$(awk -v a="$burst_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
sleep 2
running_events=$(in_ns curl -s "$url" | awk '$1 == "conntrack_exporter_events_total{type=\"new\"}" { print $2 }')
running_overflows=$(metric conntrack_exporter_event_overflows_total)

echo "profile" >&2
perf record -F 999 -g -p "$exporter_pid" -o "$work/perf.data" -- sleep 4 >/dev/null 2>&1 &
profiler=$!
sleep 0.3
for _ in 1 2 3; do scrape_time >/dev/null; done
wait "$profiler" || true
perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null \
    | awk '/^ +[0-9]/ && NF == 2 && n++ < 6 { printf "| %s | %s |\n", $2, $1 }' >"$work/dso"
perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
    | awk '/^ +[0-9]/ && $3 == "[.]" && n++ < 12 { sym = $4; if (length(sym) > 70) sym = substr(sym, 1, 67) "..."; printf "| %s | %s | `%s` |\n", $1, $2, sym }' >"$work/symbols"
stop_exporter

# The chart: scrape time and floor against table size.
awk '{ print $1, $2 * 1000, $3 * 1000 }' "$results" >"$work/chart.dat"
gnuplot <<PLOT
set terminal png size 900,540
set output "$root/Benchmarks/scrape-vs-floor.png"
set title "One scrape against the kernel's dump floor (median of $runs)"
set xlabel "conntrack entries (10,000 remote hosts at most, 20% IPv6)"
set ylabel "milliseconds"
set logscale xy
set xrange [500:500000]
set key top left
set grid
plot "$work/chart.dat" using 1:3 with linespoints title "scrape (exporter)", \
     "$work/chart.dat" using 1:2 with linespoints title "floor (bare dump, counting only)"
PLOT

last=$(tail -n 1 "$results")
read -r _ floor250 scrape250 _ cpu250 rss250 concurrent250 _ compress250 _ _ view_cpu250 floor_cpu250 <<<"$last"
cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
{
    echo "# Benchmarks"
    echo
    echo "Generated on $(date -u +%Y-%m-%d) by the README's benchmark command, as root:"
    echo
    echo '```sh'
    echo "$benchmark_command"
    echo '```'
    echo
    echo "Machine: $(nproc) cores ($cpu_model), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)."
    echo "Each figure is the median of $runs runs (concurrency: 5, by hand: 3, churn: $churn_rounds rounds of ${churn_seconds} s);"
    echo "floor and scrape runs alternate, so their ratio compares like with like. The machine is shared: expect ±10%."
    echo
    echo "## Scrape against the floor"
    echo
    echo "The floor is \`conntrack-dump-floor\`: the exporter's dump request with its receive buffer, counting entries and nothing else."
    echo "Tables are filled by \`conntrack-fill\` with TCP entries to at most 10,000 remote hosts, 20% IPv6."
    echo
    echo "| entries | floor | scrape | scrape / floor (runs' spread) | floor CPU | CPU per scrape | CPU scrape / floor | gzip scrape | compression | /connections | CPU per /connections | RSS after 10 scrapes | 10 concurrent / one | conntrack -L \| awk |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    while read -r size floor scrape gzip cpu rss concurrent hand compress spread view view_cpu floor_cpu; do
        echo "| $size | $(ms "$floor") ms | $(ms "$scrape") ms | $(ratio "$scrape" "$floor") ($spread) | $(ms "$floor_cpu") ms | $(ms "$cpu") ms | $(ratio "$cpu" "$floor_cpu") | $(ms "$gzip") ms | $(ms "$compress") ms | $(ms "$view") ms | $(ms "$view_cpu") ms | $rss MiB | $(ratio "$concurrent" "$scrape") | $(ms "$hand") ms |"
    done <"$results"
    echo
    echo "Scrape times are wall times seen by curl. The exporter receives a dump on one thread while parsing it on another,"
    echo "so a scrape takes about as long as the kernel's part; CPU per scrape (user + system, over 10 scrapes) counts both threads."
    echo "Floor CPU is the floor's own user + system time (median of the same runs): the kernel builds a dump in the reader's recvmsg calls."
    echo "Compression is zlib level 1 of that size's response body (gzip -1, the exporter's library and level)."
    echo "/connections is the curl view with its default limit (the 100 connections idle longest), timed and measured like a scrape."
    echo
    echo "![scrape time and floor against table size](Benchmarks/scrape-vs-floor.png)"
    echo
    echo "## Observer effect"
    echo
    echo "Loopback connections per second from \`conntrack-churn\` (2 threads, connect and close) with tracking on,"
    echo "alternating in each round: nothing listening, the exporter scraped every second (gzip), and \`conntrack -E -e NEW,DESTROY > /dev/null\`."
    echo
    echo "| condition | connections/s | ratio to none |"
    echo "| --- | ---: | ---: |"
    echo "| no listener | $churn_none | 1.00 |"
    echo "| exporter, scraped every second | $churn_exporter | $(ratio "$churn_exporter" "$churn_none") |"
    echo "| conntrack -E -e NEW,DESTROY | $churn_conntrack | $(ratio "$churn_conntrack" "$churn_none") |"
    echo
    echo "Event overflows in the last exporter round: ${overflows:-0}."
    echo
    echo "## Event capacity"
    echo
    echo "- Listener stopped (SIGSTOP) during a burst of 60,000 new entries: $stalled_events events were queued and counted before the"
    echo "  32 MiB receive buffer overflowed (the overflow is counted, logged, and the buffer doubled)."
    echo "- Listener running during a burst of 250,000 new entries created in $burst_seconds s: $running_events counted, $running_overflows overflows."
    echo
    echo "## Goals"
    echo
    echo "| goal | measured | met |"
    echo "| --- | --- | --- |"
    goal() { echo "| $1 | $2 | $(awk -v v="$3" -v l="$4" -v op="$5" 'BEGIN { print ((op == "le" ? v <= l : op == "lt" ? v < l : v >= l) ? "yes" : "**no**") }') |"; }
    goal "scrape at 250k <= 1.15 x floor (wall)" "$(ratio "$scrape250" "$floor250") x" "$(ratio "$scrape250" "$floor250")" 1.15 le
    goal "scrape CPU at 250k <= 1.15 x floor CPU" "$(ratio "$cpu250" "$floor_cpu250") x" "$(ratio "$cpu250" "$floor_cpu250")" 1.15 le
    goal "/connections at 250k costs no more CPU than a scrape" "$(ms "$view_cpu250") ms vs $(ms "$cpu250") ms" "$view_cpu250" "$cpu250" le
    goal "RSS at 250k / 10k hosts <= 48 MiB" "$rss250 MiB" "$rss250" 48 le
    goal "churn with the exporter >= 0.95 x without" "$(ratio "$churn_exporter" "$churn_none") x" "$(ratio "$churn_exporter" "$churn_none")" 0.95 ge
    goal "10 concurrent scrapes <= 1.5 x one" "$(ratio "$concurrent250" "$scrape250") x" "$(ratio "$concurrent250" "$scrape250")" 1.5 le
    gzip_cost=$(awk -v c="$compress250" -v s="$scrape250" 'BEGIN { printf "%.3f", c / s }')
    goal "compression < 10% of the scrape at 250k" "$(awk -v c="$gzip_cost" 'BEGIN { printf "%.1f%%", c * 100 }')" "$gzip_cost" 0.10 lt
    echo
    echo "## Where a 250k scrape's time goes"
    echo
    echo "\`perf record\` of three scrapes at 250,000 entries, by binary:"
    echo
    echo "| binary | share |"
    echo "| --- | ---: |"
    cat "$work/dso"
    echo
    echo "The busiest user-space functions:"
    echo
    echo "| share | binary | function |"
    echo "| ---: | --- | --- |"
    cat "$work/symbols"
    # The soak run (Benchmarks/soak.sh) keeps its own section.
    sed -n '/^<!-- soak -->$/,/^<!-- \/soak -->$/p' "$root/BENCHMARKS.md" 2>/dev/null
} >"$work/BENCHMARKS.md"
mv "$work/BENCHMARKS.md" "$root/BENCHMARKS.md"
echo "wrote BENCHMARKS.md and Benchmarks/scrape-vs-floor.png" >&2
