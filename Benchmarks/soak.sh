#!/usr/bin/env bash
# The soak run: the exporter for SOAK_SECONDS (default 600) in a network namespace of its
# own, under connection churn, a scrape every second and hostile clients at once
# (slowloris and slow readers from slowhttptest, a stream of blank lines, a connection
# flood from wrk, kept-alive clients pipelining views, requests abandoned with a reset). Run as root from the repository after `swift build -c release`:
#   Benchmarks/soak.sh
# Records RSS, descriptors and scrape results over time, then checks that the event
# counters match the churn exactly or that the loss was reported, and writes its section
# of BENCHMARKS.md.
set -euo pipefail

seconds=${SOAK_SECONDS:-600}
ns="cte-soak-$$"
work=$(mktemp -d)
pids=()
. "$(dirname "$0")/lib.sh"
stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    cleanup
}
trap stop_all EXIT
require_root_and_tools curl conntrack nft slowhttptest wrk python3
# Sums every sample of a metric (name with labels, as a prefix) in a saved scrape.
metric_in() { awk -v name="$1" 'index($0, name) == 1 { sum += $NF } END { printf "%d\n", sum }' "$2"; }

make_namespace
in_ns "$bin/conntrack-fill" --entries 50000 --hosts 1000 --udp-percent 0 --timeout 86400 >/dev/null

ip netns exec "$ns" prlimit --nofile=4096 "$bin/conntrack_exporter" --web.listen-address "127.0.0.1:$port" \
    --log.level warn >/dev/null 2>"$work/exporter.log" &
exporter=$!
pids+=("$exporter")
for _ in $(seq 100); do in_ns curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
in_ns curl -s "$url" >"$work/before"

# Hostile clients for the whole run.
in_ns slowhttptest -H -c 1000 -r 200 -i 5 -l "$seconds" -u "$url" -p 5 >/dev/null 2>&1 & pids+=($!)
in_ns slowhttptest -X -c 200 -r 50 -w 1 -y 1 -n 10 -z 1 -k 3 -l "$seconds" -u "$url" -p 5 >/dev/null 2>&1 & pids+=($!)
in_ns python3 - "$port" "$seconds" <<'PY' & pids+=($!)
import socket, sys, time
port, end = int(sys.argv[1]), time.time() + float(sys.argv[2])
while time.time() < end:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        while time.time() < end:
            s.sendall(b"\r\n" * 512)
            time.sleep(0.01)
    except OSError:
        time.sleep(0.1)
PY
in_ns bash -c "end=\$((SECONDS + $seconds)); while [ \$SECONDS -lt \$end ]; do wrk -c 600 -t 1 -d 10s '$url' >/dev/null 2>&1; sleep 50; done" & pids+=($!)
# Issue 18's attackers: kept-alive clients pipelining views, and requests abandoned with a reset.
hostile="$root/Tests/IntegrationSupport/hostile-clients.py"
in_ns python3 "$hostile" pipeline connections --connections 200 --seconds "$seconds" >/dev/null 2>&1 & pids+=($!)
in_ns python3 "$hostile" abandon connections-10000 --seconds "$seconds" >/dev/null 2>&1 & pids+=($!)

in_ns "$bin/conntrack-churn" "$seconds" 1 7999 >"$work/churn" & churn=$!

# A scrape every second; RSS and descriptors every ten.
: >"$work/samples"; : >"$work/failures"; ok=0; failed=0; start=$SECONDS; next_sample=10
while [ $((SECONDS - start)) -lt "$seconds" ]; do
    if in_ns curl -s --compressed --max-time 5 -o /dev/null -w '%{http_code}' "$url" | grep -q 200; then
        ok=$((ok + 1)); else failed=$((failed + 1)); echo $((SECONDS - start)) >>"$work/failures"; fi
    if [ $((SECONDS - start)) -ge "$next_sample" ]; then
        echo "$next_sample $(awk '/VmRSS/ { print $2 }' "/proc/$exporter/status") $(ls "/proc/$exporter/fd" | wc -l)" >>"$work/samples"
        next_sample=$((next_sample + 10))
    fi
    sleep 1
done
wait "$churn"
sleep 15   # DESTROY events of the last connections (TIME_WAIT 1 s, then the kernel's GC)
in_ns curl -s "$url" >"$work/after"

read -r rate made <"$work/churn"
opened=$(( $(metric_in 'conntrack_connections_opened_total{host="127.0.0.1:7999"}' "$work/after") - \
           $(metric_in 'conntrack_connections_opened_total{host="127.0.0.1:7999"}' "$work/before") ))
lost=$(metric_in conntrack_exporter_events_lost_total "$work/after")
episodes=$(metric_in conntrack_exporter_event_overflows_total "$work/after")
rss_first=$(awk 'NR == 1 { print $2 }' "$work/samples"); rss_last=$(awk 'END { print $2 }' "$work/samples")
rss_max=$(sort -k2 -n "$work/samples" | awk 'END { print $2 }')
fds_max=$(sort -k3 -n "$work/samples" | awk 'END { print $3 }')
alive=$(kill -0 "$exporter" 2>/dev/null && echo yes || echo no)
# wrk starts at 0 s and every 60 s after, for 10 s.
in_burst=$(awk '$1 % 60 < 15' "$work/failures" | wc -l)
verdict=pass
[ "$alive" = yes ] || verdict=fail
# Exact unless the kernel dropped events, and then the drop is in the lost counter.
if [ "$lost" = 0 ]; then [ "$opened" = "$made" ] || verdict=fail; else [ $((opened + lost)) -ge "$made" ] || verdict=fail; fi

section=$(
    echo "<!-- soak -->"
    echo "## Soak ($(date -u +%Y-%m-%d), ${seconds} s)"
    echo
    echo "\`Benchmarks/soak.sh\`: the exporter (release build, 50,000 synthetic entries) under loopback churn"
    echo "(\`conntrack-churn\`, 1 thread), a scrape every second, and at the same time: slowhttptest slowloris"
    echo "(1,000 connections) and slow-read (200) clients, a client streaming blank lines, and \`wrk -c 600\`"
    echo "for 10 s every minute, 200 kept-alive clients pipelining \`/connections\` and a loop of \`/connections?limit=10000\`"
    echo "requests abandoned with a reset (\`Tests/IntegrationSupport/hostile-clients.py\`). Result: **$verdict**."
    echo
    echo "| figure | value |"
    echo "|---|---|"
    echo "| scrapes answered / failed (5 s timeout) | $ok / $failed |"
    echo "| of the failures, during a wrk burst (its 10 s and the 5 s after) | $in_burst |"
    echo "| RSS first / last / max sample (KiB) | $rss_first / $rss_last / $rss_max |"
    echo "| open descriptors, max sample | $fds_max |"
    echo "| churn connections made | $made ($rate/s) |"
    echo "| conntrack_connections_opened_total for them | $opened |"
    echo "| events lost (reported) / overflow episodes | $lost / $episodes |"
    echo "| exporter alive at the end | $alive |"
    echo
    echo "RSS (KiB) every 10 s: $(awk '{ printf "%s ", $2 }' "$work/samples")"
    echo "<!-- /soak -->"
)
if grep -q '^<!-- soak -->$' "$root/BENCHMARKS.md"; then
    python3 - "$root/BENCHMARKS.md" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
open(path, "w").write(re.sub(r"<!-- soak -->.*<!-- /soak -->", lambda _: section, text, flags=re.S))
PY
else
    printf '\n%s\n' "$section" >>"$root/BENCHMARKS.md"
fi
echo "$section"
[ "$verdict" = pass ]
