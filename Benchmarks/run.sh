#!/usr/bin/env bash
# The benchmark: what the exporter costs the machine it watches, against the kernel's floor,
# in a network namespace of its own. Run as root from the repository:
#   Benchmarks/run.sh            every part, then BENCHMARKS.md and Benchmarks/scrape-vs-floor.png
#   Benchmarks/run.sh PART...    only those parts (Benchmarks/parts/PART.sh), their sections on stdout
# Not a test: numbers vary with the machine's load, so every figure is a median of several
# runs, and ratios compare runs taken alternately in one session.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# Kept identical to the README's benchmark command.
benchmark_command="apt-get update && apt-get install -y libnetfilter-conntrack-dev libmnl-dev libdeflate-dev libssl-dev libcrypt-dev libyaml-dev libc-ares-dev pkg-config conntrack nftables iproute2 procps curl gnuplot-nox linux-perf slowhttptest wrk unbound && swift build -c release && Benchmarks/run.sh"
all_parts="scrape-sizes table-shapes startup event-path host-history event-capacity accounting names event-table update-cost table-source profile"
parts=${*:-$all_parts}
ns="cte-bench-$$"
work=$(mktemp -d)
. "$root/Benchmarks/lib.sh"
trap cleanup EXIT
require_root_and_tools curl conntrack nft gnuplot perf
for part in $parts; do
    [ -f "$root/Benchmarks/parts/$part.sh" ] || { echo "no part $part (parts: $all_parts)" >&2; exit 1; }
done

make_namespace
mkdir -p "$work/sections"
: >"$work/figures"
for part in $parts; do
    echo "$part" >&2
    # Each part writes its section of BENCHMARKS.md to standard output and hands figures on with `record`.
    . "$root/Benchmarks/parts/$part.sh" >"$work/sections/$part.md"
done

if [ "$parts" != "$all_parts" ]; then
    for part in $parts; do cat "$work/sections/$part.md"; done
    exit 0
fi
{
    echo "# Benchmarks"
    echo
    echo "Generated on $(date -u +%Y-%m-%d) by the README's benchmark command, as root:"
    echo
    echo '```sh'
    echo "$benchmark_command"
    echo '```'
    echo
    echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)."
    echo "Figures from another machine do not carry over: the kernel's share of a scrape differs between CPUs."
    echo "Each figure is the median of $runs runs unless it says otherwise; floor and scrape runs alternate, so their ratio"
    echo "compares like with like. A dump walks the kernel's whole conntrack hash table, every network namespace's entries"
    echo "included: run it where no other namespace holds a large table, or every floor and scrape grows alike."
    for part in $parts; do echo; cat "$work/sections/$part.md"; done
    echo
    . "$root/Benchmarks/parts/goals.sh"
    # The soak run (Benchmarks/soak.sh) keeps its own section.
    sed -n '/^<!-- soak -->$/,/^<!-- \/soak -->$/p' "$root/BENCHMARKS.md" 2>/dev/null
} >"$work/BENCHMARKS.md"
mv "$work/BENCHMARKS.md" "$root/BENCHMARKS.md"
echo "wrote BENCHMARKS.md and Benchmarks/scrape-vs-floor.png" >&2
