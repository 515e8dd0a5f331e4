# Part: the event listener's CPU under loopback churn (conntrack-churn) against a bare
# listener (conntrack-event-floor) and conntrack -E, CHURN_ROUNDS rounds of CHURN_SECONDS.
churn_seconds=${CHURN_SECONDS:-5}
churn_rounds=${CHURN_ROUNDS:-5}
in_ns conntrack -F 2>/dev/null || true
churn() { in_ns "$bin/conntrack-churn" "$churn_seconds" 2 7999; }
# Milliseconds of CPU (ticks of the stat file $1) per 1,000 connections of the churn that follows.
cpu_per_churn() {
    local before after result
    before=$(ticks_of "$1")
    result=$(churn)
    after=$(ticks_of "$1")
    echo "$result" | awk -v t=$((after - before)) -v hz="$clock_ticks" '{ printf "%s %.3f\n", $1, t * 1000 / hz / ($2 / 1000) }'
}
listener_stat() { grep -l '^ct-events$' /proc/"$exporter_pid"/task/*/comm | sed 's/comm$/stat/'; }
: >"$work/events"
for _ in $(seq "$churn_rounds"); do
    none=$(churn | awk '{ print $1 }')
    start_exporter
    read -r idle_rate idle_cpu <<<"$(cpu_per_churn "$(listener_stat)")"
    (while :; do in_ns curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$url"; sleep 1; done) &
    scraper=$!
    process_before=$(cpu_ticks)
    read -r scraped_rate scraped_cpu <<<"$(cpu_per_churn "$(listener_stat)")"
    process_ticks=$(( $(cpu_ticks) - process_before ))
    kill "$scraper"; wait "$scraper" 2>/dev/null || true
    lost=$(metric conntrack_exporter_events_lost_total)
    stop_exporter
    ip netns exec "$ns" "$bin/conntrack-event-floor" >"$work/event-floor" &
    event_floor=$!
    sleep 0.2
    read -r floor_rate floor_cpu <<<"$(cpu_per_churn "/proc/$event_floor/stat")"
    kill "$event_floor"; wait "$event_floor" 2>/dev/null || true
    read -r _ floor_overflows <"$work/event-floor"
    ip netns exec "$ns" conntrack -E -e NEW,DESTROY >/dev/null 2>&1 &
    listener=$!
    sleep 0.2
    conntrack_rate=$(churn | awk '{ print $1 }')
    kill "$listener"; wait "$listener" 2>/dev/null || true
    process_cpu=$(awk -v t="$process_ticks" -v hz="$clock_ticks" -v r="$scraped_rate" -v s="$churn_seconds" \
        'BEGIN { printf "%.3f", t * 1000 / hz / (r * s / 1000) }')
    echo "$none $idle_rate $scraped_rate $floor_rate $conntrack_rate $idle_cpu $scraped_cpu $process_cpu $floor_cpu ${lost:-0} $floor_overflows" >>"$work/events"
done
# The median over rounds of column $1 / column $2, and its spread.
column_ratio() { awk -v a="$1" -v b="$2" '{ print $a / $b }' "$work/events" | median; }
column_spread() { awk -v a="$1" -v b="$2" '{ print $a / $b }' "$work/events" | spread; }
# A row: a label, the median of column $2 followed by $4, and its ratio to column $3 (spread).
event_row() {
    echo "| $1 | $(column "$2" "$work/events" | median)${4:-} | $(ratio "$(column_ratio "$2" "$3")" 1) ($(column_spread "$2" "$3")) |"
}
record events.idle_ratio "$(column_ratio 6 9)"
record events.scraped_ratio "$(column_ratio 7 9)"
record events.lost "$(awk '{ s += $10 } END { print s }' "$work/events")"

echo "## Event path"
echo
echo "Loopback churn from \`conntrack-churn\` (2 threads connect and close, ${churn_seconds} s a round, $churn_rounds rounds) with tracking on."
echo "CPU per 1,000 connections (two events each), from /proc: the exporter's listener thread (\`ct-events\`) idle and while"
echo "scraped every second (gzip), the whole exporter process while scraped (scrapes of the churning table included), and"
echo "\`conntrack-event-floor\`, a bare listener with the exporter's subscription, filter and buffer that receives and discards."
echo "The floor wakes for every event, as \`conntrack -E\` does; the exporter drains its socket, then pauses 10 ms, so under"
echo "churn each wake-up handles hundreds of events. Medians, with the spread of the per-round ratio."
echo
echo "| listener | CPU per 1,000 connections | ratio to the floor (spread) |"
echo "| --- | ---: | ---: |"
echo "| conntrack-event-floor | $(column 9 "$work/events" | median) ms | 1.00 |"
event_row "exporter's listener thread, idle" 6 9 " ms"
event_row "exporter's listener thread, scraped every second" 7 9 " ms"
event_row "exporter process, scraped every second" 8 9 " ms"
echo
echo "Connections per second in the same rounds. They are noisy on a shared 2-core machine (rounds swing by 2-3x); the CPU above is the figure to judge by."
echo
echo "| condition | connections/s | ratio to none (spread) |"
echo "| --- | ---: | ---: |"
echo "| no listener | $(column 1 "$work/events" | median) | 1.00 |"
event_row "exporter, idle" 2 1
event_row "exporter, scraped every second" 3 1
event_row "conntrack-event-floor" 4 1
event_row "conntrack -E -e NEW,DESTROY" 5 1
echo
echo "Events lost by the exporter over all rounds: $(figure events.lost) (the floor's overflows: $(awk '{ s += $11 } END { print s }' "$work/events"))."
