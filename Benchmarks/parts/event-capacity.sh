# Part: how many events the receive buffer holds while the listener is stopped, and whether
# a running listener keeps up with a burst of 250,000 new entries.
new_events() { in_ns curl -s "$url" | awk '$1 == "conntrack_exporter_events_total{type=\"new\"}" { print $2 }'; }
in_ns conntrack -F 2>/dev/null || true
start_exporter
kill -STOP "$exporter_pid"
in_ns "$bin/conntrack-fill" --entries 60000 --hosts 1000 --udp-percent 0 --timeout 3600 >/dev/null
kill -CONT "$exporter_pid"
sleep 2
stalled_events=$(new_events)
in_ns conntrack -F 2>/dev/null || true
stop_exporter
start_exporter
burst_start=$(date +%s.%N)
in_ns "$bin/conntrack-fill" --entries 250000 --hosts 10000 --udp-percent 0 --timeout 3600 >/dev/null
burst_seconds=$(seconds_since "$burst_start")
sleep 2
running_events=$(new_events)
running_overflows=$(metric conntrack_exporter_event_overflows_total)
stop_exporter

echo "## Event capacity"
echo
echo "- Listener stopped (SIGSTOP) during a burst of 60,000 new entries: $stalled_events events were queued and counted before the"
echo "  32 MiB receive buffer overflowed (the overflow is counted, logged, and the buffer doubled)."
echo "- Listener running during a burst of 250,000 new entries created in $(printf '%.2f' "$burst_seconds") s: $running_events counted, $running_overflows overflows."
