# Part: 250,000 entries on two cores, pinned to one, spread over 100,000 hosts, and half UDP
# (against the unfiltered and the kernel-filtered dump), floor and scrapes interleaved.
# shape NAME [FLOOR_MODE]: interleaved runs against the running exporter, recorded as NAME.*.
shape() {
    local floor floor_cpu scrape cpu cpu_spread wall_spread
    read -r floor floor_cpu scrape cpu cpu_spread wall_spread <<<"$(interleaved "${2:-}")"
    record "$1.floor" "$floor"; record "$1.floor_cpu" "$floor_cpu"; record "$1.scrape" "$scrape"; record "$1.cpu" "$cpu"
    record "$1.cpu_spread" "$cpu_spread"; record "$1.wall_spread" "$wall_spread"
}
# row NAME LABEL [COLUMNS]: a table row; COLUMNS "cpu" leaves out the wall ratio, "floor" the scrape's wall too.
row() {
    local scrape="$(ms "$(figure "$1.scrape")") ms" wall="$(ratio "$(figure "$1.scrape")" "$(figure "$1.floor")") ($(figure "$1.wall_spread"))"
    [ "${3:-}" = cpu ] && wall=""
    [ "${3:-}" = floor ] && { wall=""; scrape=""; }
    echo "| $2 | $(ms "$(figure "$1.floor")") ms | $(ms "$(figure "$1.floor_cpu")") ms | $scrape | $(ms "$(figure "$1.cpu")") ms" \
        "| $(ratio "$(figure "$1.cpu")" "$(figure "$1.floor_cpu")") ($(figure "$1.cpu_spread")) | $wall |"
}
fill 250000
start_exporter; scrape_time >/dev/null; shape two; stop_exporter
launch="taskset -c 1"
start_exporter; scrape_time >/dev/null; shape pinned; stop_exporter
launch=""
fill 250000 100000
start_exporter; scrape_time >/dev/null; shape wide
for _ in $(seq 10); do scrape_time >/dev/null; done
record wide.rss "$(rss_mib)"
wide_series=$(in_ns curl -s "$url" | awk -F'"' '/^conntrack_(opening|open|closing|closed)_connections\{/ { hosts[$2] = 1 } END { print length(hosts) }')
stop_exporter
# The first scrape is a whole dump (nothing known yet); the ones measured choose the kernel's TCP filter.
fill 250000 10000 50
start_exporter; scrape_time >/dev/null; shape mixed; shape mixedtcp tcp
mixed_tcp_entries=$(in_ns "$bin/conntrack-dump-floor" 1 tcp | awk '{ print $1 }')
stop_exporter

echo "## Table shapes"
echo
echo "Medians of $runs interleaved runs (a bare dump, then three scrapes); CPU is user + system from /proc; spreads are the runs' ratios."
echo
echo "| table | floor | floor CPU | scrape | CPU per scrape | CPU scrape / floor (spread) | wall scrape / floor (spread) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
row two "250,000 TCP, 10,000 hosts, two cores"
row pinned "250,000 TCP, 10,000 hosts, exporter and floor pinned to one core (taskset -c 1)"
row wide "250,000 TCP, 100,000 hosts ($wide_series host labels), RSS $(figure wide.rss) MiB after 10 scrapes"
row mixed "125,000 TCP + 125,000 UDP, against the unfiltered dump" cpu
row mixedtcp "the same, against the TCP-filtered dumps ($mixed_tcp_entries entries)" floor
echo
echo "With other protocols in the table the exporter asks the kernel for TCP entries only (CTA_FILTER, one dump per address"
echo "family); \`conntrack-dump-floor 1 tcp\` sends the same two requests."
