# Part: the table kept from events (--table.source=events) against dump mode, at
# EVENT_TABLE_ENTRIES entries (default 250,000) / 10,000 hosts, $runs interleaved rounds; and what
# subscribing to UPDATE costs the kernel under loopback churn (bare listeners, /proc/stat).
# Past nf_conntrack_max (262,144 here) only with RAISE_CONNTRACK_MAX=1 (see lib.sh).
entries=${EVENT_TABLE_ENTRIES:-250000}
rounds=${EVENT_TABLE_ROUNDS:-5}
churn_seconds=${CHURN_SECONDS:-5}
raise_conntrack_max "$entries"
fill "$entries"
# CPU seconds of the exporter over three gzip scrapes, and its RSS after them.
three_scrapes() {
    local before
    before=$(cpu_ticks)
    for _ in 1 2 3; do paced; in_ns curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{time_total}\n' "$url" >"$work/last_read"; done
    echo "$(awk -v t="$(( $(cpu_ticks) - before ))" -v hz="$clock_ticks" 'BEGIN { print t / hz / 3 }') $(rss_mib)"
}
# The listener thread's stat file.
listener_stat() { grep -l '^ct-events$' /proc/"$exporter_pid"/task/*/comm | sed 's/comm$/stat/'; }
: >"$work/event-table"
for _ in $(seq "$rounds"); do
    start_exporter
    read -r dump_cpu dump_rss <<<"$(three_scrapes)"
    stop_exporter
    start_exporter --table.source events
    for _ in $(seq 600); do [ "$(metric 'conntrack_exporter_table_rebuilds_total{reason="start"}')" = 1 ] && break; sleep 0.1; done
    start_cpu=$(awk -v t="$(cpu_ticks)" -v hz="$clock_ticks" 'BEGIN { print t / hz }')
    read -r events_cpu events_rss <<<"$(three_scrapes)"
    # The listener's CPU per event under churn at full speed (NEW, UPDATE and DESTROY).
    events_before=$(in_ns curl -s "$url" | awk '$1 ~ /^conntrack_exporter_events_total/ { s += $2 } END { print s }')
    ticks_before=$(ticks_of "$(listener_stat)")
    connections=$(in_ns "$bin/conntrack-churn" "$churn_seconds" 2 7999 | awk '{ print $2 }')
    sleep 0.5
    ticks=$(( $(ticks_of "$(listener_stat)") - ticks_before ))
    events_after=$(in_ns curl -s "$url" | awk '$1 ~ /^conntrack_exporter_events_total/ { s += $2 } END { print s }')
    lost=$(metric conntrack_exporter_events_lost_total)
    kept_bytes=$(metric conntrack_exporter_table_kept_bytes)
    stop_exporter
    echo "$dump_cpu $dump_rss $start_cpu $events_cpu $events_rss $ticks $(( events_after - events_before )) $connections ${lost:-0} $kept_bytes" >>"$work/event-table"
done
col() { column "$1" "$work/event-table" | median; }
per_event_us=$(awk -v hz="$clock_ticks" '{ print $6 / hz / $7 * 1e6 }' "$work/event-table" | median)
events_per_connection=$(awk '{ print $7 / $8 }' "$work/event-table" | median)
# A 15 s interval at 2,000 new connections a second: the events, one scrape, and the check's dump
# (as costly as the start's) amortized over the default 10-minute check interval.
interval_cpu=$(awk -v us="$per_event_us" -v epc="$events_per_connection" -v s="$(col 4)" -v d="$(col 3)" \
    'BEGIN { print 2000 * 15 * epc * us / 1e6 + s + d * 15 / 600 }')
interval_ratio=$(ratio "$interval_cpu" "$(col 1)")
memory_per_entry=$(awk -v a="$(col 5)" -v b="$(col 2)" -v n="$entries" 'BEGIN { printf "%.1f", (a - b) * 1048576 / n }')
record eventtable.interval_ratio "$interval_ratio"
record eventtable.bytes_per_entry "$memory_per_entry"

# What UPDATE costs the kernel: machine-wide system + irq + softirq CPU per 1,000 connections of
# churn, with a bare listener of NEW+DESTROY and one of NEW+UPDATE+DESTROY, interleaved.
kernel_ticks() { awk '$1 == "cpu" { print $4 + $7 + $8 }' /proc/stat; }
kernel_per_churn() {
    local before result
    ip netns exec "$ns" "$bin/conntrack-event-floor" ${1:-} >/dev/null &
    local listener=$!
    sleep 0.2
    before=$(kernel_ticks)
    result=$(in_ns "$bin/conntrack-churn" "$churn_seconds" 2 7998 | awk '{ print $2 }')
    echo "$(( $(kernel_ticks) - before )) $result" | awk -v hz="$clock_ticks" '{ printf "%.3f\n", $1 * 1000 / hz / ($2 / 1000) }'
    kill "$listener"; wait "$listener" 2>/dev/null || true
}
: >"$work/update-cost"
for _ in $(seq "$rounds"); do echo "$(kernel_per_churn) $(kernel_per_churn updates)" >>"$work/update-cost"; done
without=$(column 1 "$work/update-cost" | median)
with=$(column 2 "$work/update-cost" | median)
record eventtable.update_kernel_ratio "$(ratio "$with" "$without")"

echo "## Table kept from events"
echo
echo "$entries entries / 10,000 hosts, all TCP; $rounds rounds, each a dump-mode exporter then an events-mode one"
echo "(\`--table.source events\`), three gzip scrapes each. Medians; spreads of the per-round ratio."
echo
echo "| | dump mode | events mode |"
echo "| --- | ---: | ---: |"
echo "| CPU per scrape | $(ms "$(col 1)") ms | $(ms "$(col 4)") ms ($(awk '{ print $4 / $1 }' "$work/event-table" | spread) x) |"
echo "| RSS after the scrapes | $(col 2) MiB | $(col 5) MiB |"
echo "| start (first dump, into the kept table) | | $(ms "$(col 3)") ms of CPU |"
echo
echo "- Memory: $memory_per_entry bytes per kept entry beyond dump mode's RSS (the entry map itself: $(awk -v b="$(col 10)" -v n="$entries" 'BEGIN { printf "%.1f", b / n }') bytes per entry)."
echo "- The listener under churn at full speed ($churn_seconds s, 2 threads): $(awk -v e="$events_per_connection" 'BEGIN { printf "%.1f", e }') events per connection,"
echo "  $(awk -v u="$per_event_us" 'BEGIN { printf "%.2f", u }') µs of the listener thread's CPU per event; events lost over all rounds: $(awk '{ s += $9 } END { print s }' "$work/event-table")."
echo "- A 15 s scrape interval with 2,000 new connections a second, computed from those figures (events, one scrape, and the"
echo "  10-minute check's dump amortized): $(ms "$interval_cpu") ms of CPU, **$interval_ratio x** one dump-mode scrape."
echo
echo "What the UPDATE subscription costs the kernel (machine-wide system + irq + softirq CPU from /proc/stat per 1,000"
echo "loopback connections of \`conntrack-churn\`, a bare listener of each kind, $rounds interleaved rounds):"
echo
echo "| subscription | kernel CPU per 1,000 connections |"
echo "| --- | ---: |"
echo "| NEW + DESTROY (dump mode with the lifecycle collector) | $without ms |"
echo "| NEW + UPDATE + DESTROY (events mode) | $with ms ($(awk '{ print $2 / $1 }' "$work/update-cost" | spread) x) |"
