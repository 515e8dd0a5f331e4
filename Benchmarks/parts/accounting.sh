# Part: what nf_conntrack_acct costs. The kernel's side: system + softirq CPU of the whole
# machine per 1,000 connections of loopback churn, with accounting off and on, interleaved.
# The exporter's side: scrape CPU against the bare dump at 250,000 entries with counters
# (their messages are larger), against the same ratio without them.
# system_ticks: system + softirq ticks of all CPUs so far (/proc/stat).
system_ticks() { awk '$1 == "cpu" { print $4 + $8 }' /proc/stat; }
churn_cost() {
    local before result
    before=$(system_ticks)
    result=$(in_ns "$bin/conntrack-churn" "${CHURN_SECONDS:-5}" 2 7999)
    echo "$result" | awk -v t=$(( $(system_ticks) - before )) -v hz="$clock_ticks" '{ printf "%.3f\n", t * 1000 / hz / ($2 / 1000) }'
}
: >"$work/acct"
for _ in $(seq "${CHURN_ROUNDS:-5}"); do
    in_ns sysctl -q -w net.netfilter.nf_conntrack_acct=0
    off=$(churn_cost)
    in_ns sysctl -q -w net.netfilter.nf_conntrack_acct=1
    on=$(churn_cost)
    echo "$off $on" >>"$work/acct"
done
record acct.kernel_off "$(column 1 "$work/acct" | median)"
record acct.kernel_on "$(column 2 "$work/acct" | median)"
record acct.kernel_spread "$(awk '{ print $2 / $1 }' "$work/acct" | spread)"

# The same table, without and then with counters on every entry.
in_ns sysctl -q -w net.netfilter.nf_conntrack_acct=0
fill 250000
start_exporter; scrape_time >/dev/null
read -r _ off_floor_cpu _ off_cpu off_spread _ <<<"$(interleaved)"
stop_exporter
in_ns sysctl -q -w net.netfilter.nf_conntrack_acct=1
fill 250000
start_exporter; scrape_time >/dev/null
read -r _ on_floor_cpu _ on_cpu on_spread _ <<<"$(interleaved)"
stop_exporter
in_ns sysctl -q -w net.netfilter.nf_conntrack_acct=0
record acct.off_ratio "$(ratio "$off_cpu" "$off_floor_cpu")"
record acct.on_ratio "$(ratio "$on_cpu" "$on_floor_cpu")"

echo "## Accounting"
echo
echo "\`net.netfilter.nf_conntrack_acct\`, which the traffic counters need, switched off and on inside the benchmark's namespace."
echo "The kernel's cost: system + softirq CPU of the machine per 1,000 connections of \`conntrack-churn\` (2 threads, no"
echo "exporter running), medians of ${CHURN_ROUNDS:-5} interleaved rounds. The exporter's: medians of $runs interleaved rounds of a bare dump and"
echo "three scrapes at 250,000 entries, 10,000 hosts, entries created with accounting off, then on (every message carries counters)."
echo
echo "| figure | accounting off | accounting on | on / off (spread) |"
echo "| --- | ---: | ---: | ---: |"
echo "| kernel CPU per 1,000 connections | $(figure acct.kernel_off) ms | $(figure acct.kernel_on) ms | $(ratio "$(figure acct.kernel_on)" "$(figure acct.kernel_off)") ($(figure acct.kernel_spread)) |"
echo "| bare dump CPU | $(ms "$off_floor_cpu") ms | $(ms "$on_floor_cpu") ms | $(ratio "$on_floor_cpu" "$off_floor_cpu") |"
echo "| scrape CPU | $(ms "$off_cpu") ms | $(ms "$on_cpu") ms | $(ratio "$on_cpu" "$off_cpu") |"
echo "| scrape CPU / bare dump CPU (spread) | $(figure acct.off_ratio) ($off_spread) | $(figure acct.on_ratio) ($on_spread) | |"
