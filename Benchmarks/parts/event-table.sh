# Part: the table kept from events (--table.source=events) against dump mode, at each size of
# EVENT_TABLE_ENTRIES (default 250,000, 1,000,000 and 2,000,000) with 10,000 hosts, $rounds
# interleaved rounds a size (what subscribing to UPDATE costs the kernel is the part update-cost).
# Sizes past nf_conntrack_max (262,144 by default) are measured only with RAISE_CONNTRACK_MAX=1
# (see lib.sh), and skipped without it.
sizes=${EVENT_TABLE_ENTRIES:-250000 1000000 2000000}
rounds=${EVENT_TABLE_ROUNDS:-3}
churn_seconds=${CHURN_SECONDS:-5}
# CPU seconds of the exporter over three gzip scrapes, and its RSS after them.
three_scrapes() {
    local before
    before=$(cpu_ticks)
    for _ in 1 2 3; do paced; in_ns curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{time_total}\n' "$url" >"$work/last_read"; done
    echo "$(awk -v t="$(( $(cpu_ticks) - before ))" -v hz="$clock_ticks" 'BEGIN { print t / hz / 3 }') $(rss_mib)"
}
# The listener thread's stat file.
listener_stat() { grep -l '^ct-events$' /proc/"$exporter_pid"/task/*/comm | sed 's/comm$/stat/'; }
# Whether the exporter is rebuilding its kept table (the rebuild thread exists). Watched instead
# of /metrics while waiting: a scrape before the first rebuild ends reads the table by a dump.
rebuilding() { grep -qx ct-rebuild /proc/"$exporter_pid"/task/*/comm 2>/dev/null; }
# Waits until the start's rebuild has ended.
wait_for_start() {
    for _ in $(seq 3000); do
        rebuilding || [ "$(metric 'conntrack_exporter_table_rebuilds_total{reason="start"}')" != 1 ] || return 0
        sleep 0.1
    done
}
# Waits for the next rebuild to start and end.
wait_for_next_rebuild() {
    for _ in $(seq 3000); do rebuilding && break; sleep 0.05; done
    for _ in $(seq 6000); do rebuilding || break; sleep 0.05; done
}
process_cpu() { awk -v t="$(cpu_ticks)" -v hz="$clock_ticks" 'BEGIN { print t / hz }'; }
events_total() { in_ns curl -s "$url" | awk '$1 ~ /^conntrack_exporter_events_total/ { s += $2 } END { print s }'; }
# One line a round in $work/event-table-ENTRIES: floor CPU, dump-mode scrape CPU and RSS, events
# mode's start CPU, scrape CPU and RSS, listener ticks and events under churn, connections, events
# lost, the entry map's bytes, corrections, and a check's CPU (an exporter of its own, checking
# every 10 s: its first check after the start).
measure_size() {
    local entries=$1 result="$work/event-table-$1"
    : >"$result"
    fill "$entries"
    for _ in $(seq "$rounds"); do
        local floor_cpu
        floor_cpu=$(in_ns "$bin/conntrack-dump-floor" 1 | awk '{ print $3 }')
        start_exporter
        read -r dump_cpu dump_rss <<<"$(three_scrapes)"
        stop_exporter
        start_exporter --table.source events --table.check-interval 10s
        wait_for_start
        start_cpu=$(process_cpu)
        wait_for_next_rebuild
        check_cpu=$(awk -v a="$(process_cpu)" -v b="$start_cpu" 'BEGIN { print a - b }')
        check_corrections=$(metric conntrack_exporter_table_corrections_total)
        stop_exporter
        start_exporter --table.source events
        wait_for_start
        read -r events_cpu events_rss <<<"$(three_scrapes)"
        # The listener's CPU per event under churn at full speed (NEW, UPDATE and DESTROY).
        events_before=$(events_total)
        ticks_before=$(ticks_of "$(listener_stat)")
        connections=$(in_ns "$bin/conntrack-churn" "$churn_seconds" 2 7999 | awk '{ print $2 }')
        sleep 0.5
        ticks=$(( $(ticks_of "$(listener_stat)") - ticks_before ))
        events_after=$(events_total)
        lost=$(metric conntrack_exporter_events_lost_total)
        kept_bytes=$(metric conntrack_exporter_table_kept_bytes)
        corrections=$(metric conntrack_exporter_table_corrections_total)
        stop_exporter
        echo "$floor_cpu $dump_cpu $dump_rss $start_cpu $events_cpu $events_rss $ticks $(( events_after - events_before )) $connections ${lost:-0} $kept_bytes $(( ${corrections:-0} + ${check_corrections:-0} )) $check_cpu" >>"$result"
    done
}
: >"$work/event-table-rows"
skipped=""
for entries in $sizes; do
    if [ "$entries" -ge "$(cat /proc/sys/net/netfilter/nf_conntrack_max)" ] && [ "${RAISE_CONNTRACK_MAX:-0}" != 1 ]; then
        skipped="$skipped $entries"
        continue
    fi
    raise_conntrack_max "$entries"
    echo "event-table: $entries entries" >&2
    measure_size "$entries"
    result="$work/event-table-$entries"
    col() { column "$1" "$result" | median; }
    per_event_us=$(awk -v hz="$clock_ticks" '{ print $7 / hz / $8 * 1e6 }' "$result" | median)
    events_per_connection=$(awk '{ print $8 / $9 }' "$result" | median)
    # A 15 s interval at 2,000 new connections a second: the events, one scrape, and a check
    # amortized over the default 10-minute check interval.
    interval_cpu=$(awk -v us="$per_event_us" -v epc="$events_per_connection" -v s="$(col 5)" -v d="$(col 13)" \
        'BEGIN { print 2000 * 15 * epc * us / 1e6 + s + d * 15 / 600 }')
    interval_ratio=$(ratio "$interval_cpu" "$(col 2)")
    memory_per_entry=$(awk -v a="$(col 6)" -v b="$(col 3)" -v n="$entries" 'BEGIN { printf "%.1f", (a - b) * 1048576 / n }')
    map_per_entry=$(awk -v b="$(col 11)" -v n="$entries" 'BEGIN { printf "%.1f", b / n }')
    echo "| $entries | $(ms "$(col 1)") ms | $(ms "$(col 2)") ms ($(awk '{ print $2 / $1 }' "$result" | spread) x) | $(ms "$(col 5)") ms ($(awk '{ print $5 / $2 }' "$result" | spread) x) | $(ms "$(col 4)") ms / $(ms "$(col 13)") ms | $(col 3) / $(col 6) MiB | $memory_per_entry B ($map_per_entry B) | $(awk -v u="$per_event_us" 'BEGIN { printf "%.2f", u }') µs, $(awk -v e="$events_per_connection" 'BEGIN { printf "%.1f", e }') a connection | $(ms "$interval_cpu") ms, **$interval_ratio x** | $(awk '{ s += $10 } END { print s }' "$result") / $(awk '{ s += $12 } END { print s }' "$result") |" >>"$work/event-table-rows"
    # The goals are judged at the largest table measured.
    largest_interval_ratio=$interval_ratio
    largest_memory_per_entry=$memory_per_entry
    largest=$entries
done
record eventtable.interval_ratio "$largest_interval_ratio"
record eventtable.bytes_per_entry "$largest_memory_per_entry"
record eventtable.entries "$largest"

echo "## Table kept from events"
echo
echo "10,000 hosts, all TCP; $rounds rounds a size, each a bare dump (\`conntrack-dump-floor\`), a dump-mode exporter, then an"
echo "events-mode one (\`--table.source events\`), three gzip scrapes each. Medians; in brackets the spreads of the per-round"
echo "ratios (dump-mode scrape to the floor, events-mode scrape to the dump-mode one)."
echo
echo "| entries | floor CPU | dump-mode scrape CPU | events-mode scrape CPU | events-mode start / check CPU | RSS dump / events mode | memory per kept entry (the entry map) | listener CPU per event, events | 15 s at 2,000 connections/s | events lost / corrections |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
cat "$work/event-table-rows"
[ -z "$skipped" ] || echo "| skipped:$skipped | (past nf_conntrack_max: RAISE_CONNTRACK_MAX=1 measures them) | | | | | | | | |"
echo
echo "- Memory per kept entry: events mode's RSS beyond dump mode's, divided by the entries (the 10,000 hosts' own tables"
echo "  included, so it falls as the table grows); in brackets the entry map alone."
echo "- The listener: its thread's CPU under \`conntrack-churn\` at full speed ($churn_seconds s, 2 threads) per NEW, UPDATE or"
echo "  DESTROY event, and events per connection."
echo "- Start: the process's CPU until the first rebuild ended (its dump into the kept table); check: a later rebuild's."
echo "- 15 s at 2,000 new connections a second, computed from those figures: the events, one scrape, and the 10-minute"
echo "  check amortized; the ratio is to one dump-mode scrape of the same table."
echo
