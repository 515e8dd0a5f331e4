# Part: what subscribing to UPDATE costs the machine. Under loopback churn at full speed
# (conntrack-churn, 2 threads), a bare listener of NEW+DESTROY (dump mode with the lifecycle
# collector) against one of NEW+UPDATE+DESTROY (the kept table), $update_rounds interleaved
# rounds, per connection from /proc/stat: the machine's system + irq + softirq CPU, and its
# busy CPU (every mode but idle and iowait) without the listener's own (which the exporter
# measures itself). The latter's difference is what --table.kernel-cost-per-connection stands
# for: what the packet path pays for the UPDATE messages, beyond the exporter.
update_rounds=${UPDATE_COST_ROUNDS:-7}
update_churn_seconds=${CHURN_SECONDS:-5}
machine_ticks() { awk '$1 == "cpu" { print $4 + $7 + $8, $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# One line: the machine's kernel and busy ticks, the listener's ticks, connections; beside a
# listener of NEW+DESTROY, or with the argument `updates` of NEW+UPDATE+DESTROY.
churn_beside_listener() {
    local kernel busy kernel_after busy_after listener_ticks connections
    ip netns exec "$ns" "$bin/conntrack-event-floor" ${1:-} >/dev/null &
    local listener=$!
    sleep 0.2
    read -r kernel busy <<<"$(machine_ticks)"
    listener_ticks=$(ticks_of "/proc/$listener/stat")
    connections=$(in_ns "$bin/conntrack-churn" "$update_churn_seconds" 2 7998 | awk '{ print $2 }')
    read -r kernel_after busy_after <<<"$(machine_ticks)"
    echo "$(( kernel_after - kernel )) $(( busy_after - busy )) $(( $(ticks_of "/proc/$listener/stat") - listener_ticks )) $connections"
    kill "$listener"; wait "$listener" 2>/dev/null || true
}
: >"$work/update-cost"
for _ in $(seq "$update_rounds"); do echo "$(churn_beside_listener) $(churn_beside_listener updates)" >>"$work/update-cost"; done
# Microseconds per connection of each round, without UPDATE (columns 1-4) or with it (5-8):
# the machine's kernel CPU, or its busy CPU less the listener's.
kernel_us() { awk -v hz="$clock_ticks" -v o="$1" '{ print $(o + 1) / hz / $(o + 4) * 1e6 }' "$work/update-cost"; }
path_us() { awk -v hz="$clock_ticks" -v o="$1" '{ print ($(o + 2) - $(o + 3)) / hz / $(o + 4) * 1e6 }' "$work/update-cost"; }
path_extra=$(paste <(path_us 4) <(path_us 0) | awk '{ print $1 - $2 }')
record updatecost.kernel_ratio "$(ratio "$(kernel_us 4 | median)" "$(kernel_us 0 | median)")"
record updatecost.packet_path_us "$(echo "$path_extra" | median)"
us() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
echo "## What the UPDATE subscription costs the machine"
echo
echo "Loopback churn at full speed (\`conntrack-churn\`, 2 threads, $update_churn_seconds s) beside a bare listener of each kind"
echo "(\`conntrack-event-floor\`: the exporter's groups, in-kernel filter and buffer), $update_rounds interleaved rounds, per connection"
echo "from /proc/stat: the machine's system + irq + softirq CPU, and its busy CPU (user and system alike) less the listener's"
echo "own, which the exporter measures itself. Medians; spreads of the per-round ratios in brackets:"
echo
echo "| subscription | connections per round | kernel CPU per connection | busy CPU beyond the listener per connection |"
echo "| --- | ---: | ---: | ---: |"
echo "| NEW + DESTROY (dump mode with the lifecycle collector) | $(column 4 "$work/update-cost" | median) | $(us "$(kernel_us 0 | median)") µs | $(us "$(path_us 0 | median)") µs |"
echo "| NEW + UPDATE + DESTROY (the kept table) | $(column 8 "$work/update-cost" | median) | $(us "$(kernel_us 4 | median)") µs ($(paste <(kernel_us 4) <(kernel_us 0) | awk '{ print $1 / $2 }' | spread) x) | $(us "$(path_us 4 | median)") µs ($(paste <(path_us 4) <(path_us 0) | awk '{ print $1 / $2 }' | spread) x) |"
echo
echo "Subscribing to UPDATE costs the machine $(us "$(figure updatecost.packet_path_us)") µs of CPU per connection beyond the listener"
echo "($(echo "$path_extra" | spread) µs per round): what \`--table.kernel-cost-per-connection\` stands for in \`--table.source=auto\`."

# Durations (nf_conntrack_timestamp=1 at the exporter's start) subscribe to UPDATE in every mode, for
# when each connection began to close. The same churn beside the exporter itself in dump mode,
# without scrapes, timestamps off and on in turn: the machine's busy CPU and the exporter's per
# 1,000 connections.
churn_beside_exporter() {
    in_ns sysctl -q -w "net.netfilter.nf_conntrack_timestamp=$1"
    start_exporter
    local busy busy_after exporter_ticks connections
    read -r _ busy <<<"$(machine_ticks)"
    exporter_ticks=$(cpu_ticks)
    connections=$(in_ns "$bin/conntrack-churn" "$update_churn_seconds" 2 7998 | awk '{ print $2 }')
    read -r _ busy_after <<<"$(machine_ticks)"
    echo "$(( busy_after - busy )) $(( $(cpu_ticks) - exporter_ticks )) $connections"
    stop_exporter
}
: >"$work/duration-cost"
for _ in $(seq "$update_rounds"); do echo "$(churn_beside_exporter 0) $(churn_beside_exporter 1)" >>"$work/duration-cost"; done
in_ns sysctl -q -w net.netfilter.nf_conntrack_timestamp=0
# Milliseconds per 1,000 connections, timestamps off (offset 0) or on (3): the machine's busy CPU, the exporter's.
per_thousand() { awk -v hz="$clock_ticks" -v o="$1" -v c="$2" '{ print $(o + c) / hz / $(o + 3) * 1e6 }' "$work/duration-cost"; }
record durationcost.machine_ratio "$(ratio "$(per_thousand 3 1 | median)" "$(per_thousand 0 1 | median)")"
echo
echo "### What durations cost"
echo
echo "Durations end at each connection's first FIN or RST, which only UPDATE events carry: with"
echo "\`nf_conntrack_timestamp=1\` at start the exporter subscribes to them in dump mode too. The same churn beside the"
echo "exporter itself (dump mode, no scrapes), timestamps off and on in turn, $update_rounds interleaved rounds, CPU per 1,000"
echo "connections (medians; spreads of the per-round values in brackets):"
echo
echo "| durations | connections per round | machine's busy CPU | the exporter's CPU |"
echo "| --- | ---: | ---: | ---: |"
echo "| off | $(column 3 "$work/duration-cost" | median) | $(us "$(per_thousand 0 1 | median)") ms ($(per_thousand 0 1 | spread)) | $(us "$(per_thousand 0 2 | median)") ms ($(per_thousand 0 2 | spread)) |"
echo "| on | $(column 6 "$work/duration-cost" | median) | $(us "$(per_thousand 3 1 | median)") ms ($(per_thousand 3 1 | spread)) | $(us "$(per_thousand 3 2 | median)") ms ($(per_thousand 3 2 | spread)) |"
echo
echo "The machine spends $(figure durationcost.machine_ratio) x the CPU per connection with durations on (median of medians)."
