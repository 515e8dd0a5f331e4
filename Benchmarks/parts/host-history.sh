# Part: 260,000 distinct remote endpoints pass through the event counters, then the host TTL
# forgets them; then the same burst with --max-hosts 1000.
in_ns conntrack -F 2>/dev/null || true
host_ttl=20
history_sample() { echo "$(metric conntrack_exporter_tracked_hosts) $(in_ns curl -s "$url" | wc -c) $(rss_mib)"; }
burst() { in_ns "$bin/conntrack-fill" --entries 260000 --hosts 131072 --ipv6-percent 50 --udp-percent 0 --timeout 3600 >/dev/null; }
start_exporter --events.host-ttl "${host_ttl}s"
sleep 1
read -r base_hosts base_bytes base_rss <<<"$(history_sample)"
burst
sleep 2
read -r peak_hosts peak_bytes peak_rss <<<"$(history_sample)"
in_ns conntrack -F 2>/dev/null || true
# Forgetting is checked every quarter of the TTL: one TTL and a check later, all are gone.
sleep $(( host_ttl + host_ttl / 4 + 3 ))
read -r after_hosts after_bytes after_rss <<<"$(history_sample)"
forgotten=$(metric conntrack_exporter_forgotten_hosts_total)
stop_exporter
start_exporter --max-hosts 1000
burst
sleep 2
read -r capped_hosts capped_bytes capped_rss <<<"$(history_sample)"
capped_folded=$(metric conntrack_exporter_folded_hosts)
in_ns conntrack -F 2>/dev/null || true
stop_exporter
record history.base_bytes "$base_bytes"; record history.peak_hosts "$peak_hosts"; record history.peak_bytes "$peak_bytes"
record history.after_hosts "$after_hosts"; record history.after_bytes "$after_bytes"

echo "## Host history"
echo
echo "The exporter with \`--events.host-ttl ${host_ttl}s\` sees 260,000 new entries to distinct remote endpoints (\`conntrack-fill\`, half IPv6),"
echo "then their DESTROY events (flush), then nothing for one TTL and a check. Then, with \`--max-hosts 1000\` instead, the same burst."
echo
echo "| moment | tracked hosts | scrape size | RSS |"
echo "| --- | ---: | ---: | ---: |"
echo "| before | $base_hosts | $base_bytes bytes | $base_rss MiB |"
echo "| after the burst | $peak_hosts | $peak_bytes bytes | $peak_rss MiB |"
echo "| one TTL after the last event ($forgotten hosts forgotten) | $after_hosts | $after_bytes bytes | $after_rss MiB |"
echo "| after the burst, --max-hosts 1000 ($capped_folded table hosts folded) | $capped_hosts | $capped_bytes bytes | $capped_rss MiB |"
