# Part: from exec to the first answer on the port, at 250,000 entries (the first dump waits
# for the first scrape).
[ "$(in_ns conntrack -C 2>/dev/null || echo 0)" -ge 250000 ] || fill 250000
: >"$work/startup"
for _ in 1 2 3 4 5; do
    start=$(date +%s.%N)
    ip netns exec "$ns" "$bin/conntrack_exporter" --web.listen-address "127.0.0.1:$port" --log.level warn >/dev/null 2>&1 &
    exporter_pid=$!
    until in_ns curl -sf -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.002; done
    seconds_since "$start" >>"$work/startup"
    stop_exporter
done
record startup "$(median <"$work/startup")"
echo "## Startup"
echo
echo "The port answers $(ms "$(figure startup)") ms after exec at 250,000 entries (median of 5, curl from inside the namespace):"
echo "the first dump waits for the first scrape."
