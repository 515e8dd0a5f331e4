# Part: where a scrape's time goes at 250,000 entries, by binary and by function (perf).
[ "$(in_ns conntrack -C 2>/dev/null || echo 0)" -ge 250000 ] || fill 250000
start_exporter
scrape_time >/dev/null
perf record -F 999 -g -p "$exporter_pid" -o "$work/perf.data" -- sleep 4 >/dev/null 2>&1 &
profiler=$!
sleep 0.3
for _ in 1 2 3; do scrape_time -H 'Accept-Encoding: gzip' >/dev/null; done
wait "$profiler" || true
stop_exporter

echo "## Where a 250k scrape's time goes"
echo
echo "\`perf record\` of three scrapes (gzip, as Prometheus asks) at 250,000 entries, by binary:"
echo
echo "| binary | share |"
echo "| --- | ---: |"
perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null \
    | awk '/^ +[0-9]/ && NF == 2 && n++ < 6 { printf "| %s | %s |\n", $2, $1 }'
echo
echo "The busiest user-space functions:"
echo
echo "| share | binary | function |"
echo "| ---: | --- | --- |"
perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
    | awk '/^ +[0-9]/ && $3 == "[.]" && n++ < 12 { sym = $4; if (length(sym) > 70) sym = substr(sym, 1, 67) "..."; printf "| %s | %s | `%s` |\n", $1, $2, sym }'
