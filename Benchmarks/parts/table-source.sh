# Part: the table source at 250,000 entries / 10,000 hosts. A dump-mode scrape with gzip (as
# Prometheus asks) and without, against the floor, $runs interleaved rounds; two scrapers 1 s
# apart under the default --table.max-age (one dump); and --table.source=auto against dump mode
# under conntrack-churn at full speed, scraped every 15 s for $auto_seconds s (two of auto's
# one-minute windows), $auto_rounds interleaved rounds.
auto_seconds=${AUTO_SECONDS:-130}
auto_rounds=${AUTO_ROUNDS:-2}
fill 250000
start_exporter
# The exporter's CPU seconds for one request with curl's extra arguments, after the pacing wait.
request_cpu() {
    local before
    paced
    before=$(cpu_ticks)
    in_ns curl -s -o /dev/null -w '%{time_total}\n' "$@" "$url" >"$work/last_read"
    cpu_seconds_since "$before"
}
: >"$work/gzip-rounds"
for _ in $(seq "$runs"); do
    floor_cpu=$(in_ns "$bin/conntrack-dump-floor" 1 | awk '{ print $3 }')
    gzip_cpu=$(for _ in 1 2 3; do request_cpu -H 'Accept-Encoding: gzip'; done | median)
    plain_cpu=$(for _ in 1 2 3; do request_cpu; done | median)
    echo "$floor_cpu $gzip_cpu $plain_cpu" >>"$work/gzip-rounds"
done
stop_exporter
floor_cpu=$(column 1 "$work/gzip-rounds" | median)
gzip_cpu=$(column 2 "$work/gzip-rounds" | median)
plain_cpu=$(column 3 "$work/gzip-rounds" | median)
record source.gzip_ratio "$(ratio "$gzip_cpu" "$floor_cpu")"
record source.plain_ratio "$(ratio "$plain_cpu" "$floor_cpu")"

# Two scrapers 1 s apart: the second is answered from the first's read under the default max age.
# A third scrape past the max age reads again and counts its own read: the two took one less.
start_exporter --table.max-age 2s
in_ns curl -s -o /dev/null "$url"
sleep 1
in_ns curl -s -o /dev/null "$url"
sleep 3
shared_reads=$(( $(metric conntrack_exporter_table_reads_total) - 1 ))
stop_exporter
record source.shared_reads "$shared_reads"

# One exporter (flags given) under churn, scraped every 15 s: its CPU seconds and the source in force.
under_churn() {
    start_exporter "$@"
    local before churn
    before=$(cpu_ticks)
    in_ns "$bin/conntrack-churn" "$auto_seconds" 2 7997 >"$work/churned" &
    churn=$!
    for _ in $(seq $(( auto_seconds / 15 ))); do sleep 15; in_ns curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$url"; done
    wait "$churn"
    local cpu source
    cpu=$(cpu_seconds_since "$before")
    source=$(in_ns curl -s "$url" | awk '$1 == "conntrack_exporter_table_source{source=\"events\"}" { print $2 == 1 ? "events" : "dump" }')
    stop_exporter
    echo "$cpu ${source:-dump} $(awk '{ print $2 }' "$work/churned")"
}
# The churn's own entries (about a second each in TIME_WAIT) need room beside the 250,000: at the
# default nf_conntrack_max (262,144) the table fills, the kernel drops new connections' packets and
# the churn runs at a fraction of its speed. RAISE_CONNTRACK_MAX=1 raises it to 450,000.
if [ "${RAISE_CONNTRACK_MAX:-0}" = 1 ]; then raise_conntrack_max 350000; fi
auto_table_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
: >"$work/auto-rounds"
for _ in $(seq "$auto_rounds"); do
    read -r dump_cpu _ dump_connections <<<"$(under_churn)"
    read -r auto_cpu auto_source auto_connections <<<"$(under_churn --table.source auto)"
    echo "$dump_cpu $auto_cpu $auto_source $dump_connections $auto_connections" >>"$work/auto-rounds"
done
auto_ratio=$(ratio "$(column 2 "$work/auto-rounds" | median)" "$(column 1 "$work/auto-rounds" | median)")
record source.auto_ratio "$auto_ratio"
record source.auto_choice "$(column 3 "$work/auto-rounds" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')"

echo "## Table source at 250,000 entries"
echo
echo "10,000 hosts, all TCP. Medians of $runs interleaved rounds (a bare dump, three gzip scrapes, three plain ones), and the"
echo "spreads of the per-round ratios to the floor:"
echo
echo "| floor CPU | dump-mode scrape CPU, gzip | plain |"
echo "| ---: | ---: | ---: |"
echo "| $(ms "$floor_cpu") ms | $(ms "$gzip_cpu") ms ($(awk '{ print $2 / $1 }' "$work/gzip-rounds" | spread) x) | $(ms "$plain_cpu") ms ($(awk '{ print $3 / $1 }' "$work/gzip-rounds" | spread) x) |"
echo
echo "Two scrapes 1 s apart with \`--table.max-age 2s\` (the default): $shared_reads table read(s)."
echo
echo "\`--table.source=auto\` against dump mode under \`conntrack-churn\` at full speed (2 threads) for $auto_seconds s, a gzip"
echo "scrape every 15 s, nf_conntrack_max $auto_table_max; the exporter's CPU over the run, $auto_rounds interleaved rounds:"
echo
echo "| round | dump mode CPU | auto CPU | auto / dump | auto's source at the end | connections churned (dump run / auto run) |"
echo "| ---: | ---: | ---: | ---: | --- | ---: |"
awk '{ printf "| %d | %.2f s | %.2f s | %.2f | %s | %d / %d |\n", NR, $1, $2, $2 / $1, $3, $4, $5 }' "$work/auto-rounds"
