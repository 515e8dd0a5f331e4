#!/usr/bin/env bash
# Two builds of the exporter against one table, interleaved: which costs more CPU per scrape.
#   Benchmarks/ab.sh BIN_DIR_A BIN_DIR_B [ENTRIES [HOSTS]]
# Each round starts A, scrapes it three times, stops it, then the same for B (the order
# alternates between rounds), with CPU from /proc and RSS after the scrapes. Prints the
# medians of ROUNDS (default 11) rounds, the B/A ratio's median and spread.
set -euo pipefail
a=${1:?usage: Benchmarks/ab.sh BIN_DIR_A BIN_DIR_B [ENTRIES [HOSTS]]}
b=${2:?usage: Benchmarks/ab.sh BIN_DIR_A BIN_DIR_B [ENTRIES [HOSTS]]}
entries=${3:-250000}
hosts=${4:-10000}
rounds=${ROUNDS:-11}
ns="cte-ab-$$"
work=$(mktemp -d)
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
require_root_and_tools curl conntrack nft
make_namespace
fill "$entries" "$hosts"

# measure DIR: CPU seconds per scrape over three scrapes after a warm-up one, and RSS (MiB).
measure() {
    start_exporter "$1" "${@:2}"
    scrape_time -H 'Accept-Encoding: gzip' >/dev/null
    local before ticks=0
    # Each scrape waits out the pacing (scrape_time does), so each reads the table.
    for _ in 1 2 3; do
        paced
        before=$(cpu_ticks)
        in_ns curl -s -o /dev/null -w '%{time_total}' -H 'Accept-Encoding: gzip' "$url" >"$work/last_read"
        ticks=$(( ticks + $(cpu_ticks) - before ))
    done
    echo "$(awk -v t="$ticks" -v hz="$clock_ticks" 'BEGIN { print t / hz / 3 }') $(rss_mib)"
    stop_exporter
}
: >"$work/ab"
for round in $(seq "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
        read -r cpu_a rss_a <<<"$(measure "$a")"; read -r cpu_b rss_b <<<"$(measure "$b")"
    else
        read -r cpu_b rss_b <<<"$(measure "$b")"; read -r cpu_a rss_a <<<"$(measure "$a")"
    fi
    echo "$cpu_a $cpu_b $rss_a $rss_b" | tee -a "$work/ab" >&2
done
echo "table: $entries entries, $hosts hosts; $rounds interleaved rounds, gzip scrapes; machine: $(nproc) x $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "A $a: CPU per scrape $(ms "$(column 1 "$work/ab" | median)") ms, RSS $(column 3 "$work/ab" | median) MiB"
echo "B $b: CPU per scrape $(ms "$(column 2 "$work/ab" | median)") ms, RSS $(column 4 "$work/ab" | median) MiB"
echo "B / A CPU: $(awk '{ print $2 / $1 }' "$work/ab" | median | xargs printf '%.3f') (spread $(awk '{ print $2 / $1 }' "$work/ab" | spread))"
