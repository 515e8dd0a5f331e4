# Part: a scrape against the floor for each table size (SIZES), with gzip, the /connections
# view, memory, concurrency, compression and the by-hand alternative; and the chart.
sizes=${SIZES:-"1000 10000 100000 250000"}
by_hand() {
    # What users do without an exporter: list the table and count per destination and state.
    in_ns sh -c 'conntrack -L -p tcp 2>/dev/null | awk "{ split(\$6, d, \"=\"); split(\$8, p, \"=\"); n[d[2] \":\" p[2] \" \" \$4]++ } END { print length(n) }" >/dev/null'
}
# timed COUNT COMMAND...: the median of COUNT wall times of COMMAND, each after $setup (untimed).
timed() {
    local count=$1 start; shift
    for _ in $(seq "$count"); do ${setup:-true}; start=$(date +%s.%N); "$@" >/dev/null; seconds_since "$start"; done | median
}
# per_call FILE: CPU seconds per call from FILE's ticks of 10 calls.
per_call() { awk -v hz="$clock_ticks" '{ s += $1 } END { printf "%.3f", s / hz / 10 }' "$1"; }
ten_at_once() {
    for _ in $(seq 10); do in_ns curl -s -o /dev/null "$url" & done
    wait $(jobs -p | grep -v "^$exporter_pid$") 2>/dev/null || true
}
: >"$work/sizes"
for size in $sizes; do
    fill "$size"
    start_exporter
    scrape_time >/dev/null
    : >"$work/floor"; : >"$work/scrape"; : >"$work/gzip"; : >"$work/view"
    for _ in $(seq "$runs"); do
        in_ns "$bin/conntrack-dump-floor" 1 | awk '{ print $2, $3 }' >>"$work/floor"
        scrape_time >>"$work/scrape"
        scrape_time -H 'Accept-Encoding: gzip' >>"$work/gzip"
        view_time >>"$work/view"
    done
    # Each run's scrape over the floor measured just before it: the spread of the ratio.
    size_spread=$(paste -d ' ' "$work/floor" "$work/scrape" | awk '{ print $3 / $1 }' | spread)
    # CPU of 10 scrapes and 10 views, taken two by two in turn so that both see the same load.
    : >"$work/scrape_cpu"; : >"$work/view_cpu"
    # cpu_of COMMAND: the exporter's CPU ticks during COMMAND, after the pacing wait.
    cpu_of() { paced; local before; before=$(cpu_ticks); "$@" >/dev/null; echo $(( $(cpu_ticks) - before )); }
    for _ in $(seq 5); do
        for _ in 1 2; do cpu_of scrape_time >>"$work/scrape_cpu"; cpu_of view_time >>"$work/view_cpu"; done
    done
    in_ns curl -s -o "$work/body" "$url"
    echo "$size $(column 1 "$work/floor" | median) $(median <"$work/scrape") $(median <"$work/gzip") $(per_call "$work/scrape_cpu")" \
        "$(rss_mib) $(setup=paced timed 5 ten_at_once) $(timed 3 by_hand) $(timed "$runs" gzip -1 -c "$work/body") $size_spread" \
        "$(median <"$work/view") $(per_call "$work/view_cpu") $(column 2 "$work/floor" | median)" >>"$work/sizes"
    stop_exporter
done

echo "## Scrape against the floor"
echo
echo "The floor is \`conntrack-dump-floor\`: the exporter's dump request with its receive buffer, counting entries and nothing else."
echo "Tables are filled by \`conntrack-fill\` with TCP entries to at most 10,000 remote hosts, 20% IPv6."
echo
echo "| entries | floor | scrape | scrape / floor (runs' spread) | floor CPU | CPU per scrape | CPU scrape / floor | gzip scrape | compression | /connections | CPU per /connections | RSS after 10 scrapes | 10 concurrent / one | conntrack -L \| awk |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
while read -r size floor scrape gzip cpu rss concurrent hand compress size_spread view view_cpu floor_cpu; do
    echo "| $size | $(ms "$floor") ms | $(ms "$scrape") ms | $(ratio "$scrape" "$floor") ($size_spread) | $(ms "$floor_cpu") ms | $(ms "$cpu") ms | $(ratio "$cpu" "$floor_cpu") | $(ms "$gzip") ms | $(ms "$compress") ms | $(ms "$view") ms | $(ms "$view_cpu") ms | $rss MiB | $(ratio "$concurrent" "$scrape") | $(ms "$hand") ms |"
done <"$work/sizes"
echo
echo "Scrape times are wall times seen by curl. The exporter receives a dump on one thread while parsing it on another,"
echo "so a scrape takes about as long as the kernel's part; CPU per scrape (user + system, over 10 scrapes taken two by two in turn with 10 of /connections) counts both threads."
echo "Floor CPU is the floor's own user + system time (median of the same runs): the kernel builds a dump in the reader's recvmsg calls."
echo "Compression is zlib level 1 of that size's response body (gzip -1, the exporter's library and level)."
echo "/connections is the curl view with its default limit (the 100 connections idle longest), timed and measured like a scrape."
echo
echo "![scrape time and floor against table size](Benchmarks/scrape-vs-floor.png)"
read -r _ floor scrape _ cpu rss concurrent _ compress _ _ view_cpu _ <<<"$(tail -n 1 "$work/sizes")"
record largest.floor "$floor"; record largest.scrape "$scrape"; record largest.cpu "$cpu"; record largest.rss "$rss"
record largest.concurrent "$concurrent"; record largest.compress "$compress"; record largest.view_cpu "$view_cpu"

awk '{ print $1, $2 * 1000, $3 * 1000 }' "$work/sizes" >"$work/chart.dat"
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
