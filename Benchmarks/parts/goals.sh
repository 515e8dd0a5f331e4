# The goals table, from the figures the other parts recorded (run by run.sh after all of them).
# goal TEXT MEASURED VALUE LIMIT le|lt|ge
goal() { echo "| $1 | $2 | $(awk -v v="$3" -v l="$4" -v op="$5" 'BEGIN { print ((op == "le" ? v <= l : op == "lt" ? v < l : v >= l) ? "yes" : "**no**") }') |"; }
# ratio_goal TEXT A B LIMIT: A / B against LIMIT.
ratio_goal() { local r; r=$(ratio "$(figure "$2")" "$(figure "$3")"); goal "$1" "$r x" "$r" "$4" le; }
echo "## Goals"
echo
echo "| goal | measured | met |"
echo "| --- | --- | --- |"
ratio_goal "scrape CPU at 250k / 10k hosts <= 1.15 x floor CPU" two.cpu two.floor_cpu 1.15
ratio_goal "pinned to one core: scrape wall <= 1.15 x floor wall" pinned.scrape pinned.floor 1.15
ratio_goal "pinned to one core: scrape CPU <= 1.15 x floor CPU" pinned.cpu pinned.floor_cpu 1.15
ratio_goal "scrape at 250k <= 1.15 x floor (wall, two cores)" largest.scrape largest.floor 1.15
ratio_goal "half UDP: scrape CPU <= 0.65 x unfiltered floor CPU" mixed.cpu mixed.floor_cpu 0.65
ratio_goal "half UDP: scrape CPU <= 1.15 x TCP-filtered floor CPU" mixedtcp.cpu mixedtcp.floor_cpu 1.15
ratio_goal "250k / 100k hosts: scrape CPU <= 1.3 x floor CPU" wide.cpu wide.floor_cpu 1.3
goal "250k / 100k hosts: RSS <= 48 MiB" "$(figure wide.rss) MiB" "$(figure wide.rss)" 48 le
goal "RSS at 250k / 10k hosts <= 48 MiB" "$(figure largest.rss) MiB" "$(figure largest.rss)" 48 le
goal "host history back to baseline one TTL after 200k+ hosts" \
    "$(figure history.peak_hosts) -> $(figure history.after_hosts) hosts, $(figure history.peak_bytes) -> $(figure history.after_bytes) bytes" \
    "$(figure history.after_bytes)" "$(( $(figure history.base_bytes) + 2000 ))" le
goal "event path idle: listener CPU <= 1.1 x bare listener" "$(ratio "$(figure events.idle_ratio)" 1) x" "$(figure events.idle_ratio)" 1.1 le
goal "event path scraped: listener CPU <= 1.1 x bare listener" "$(ratio "$(figure events.scraped_ratio)" 1) x" "$(figure events.scraped_ratio)" 1.1 le
goal "no events lost at the churn rate" "$(figure events.lost)" "$(figure events.lost)" 0 le
goal "the port answers within 200 ms at 250k entries" "$(ms "$(figure startup)") ms" "$(figure startup)" 0.2 le
goal "/connections at 250k costs no more CPU than a scrape" "$(ms "$(figure largest.view_cpu)") ms vs $(ms "$(figure largest.cpu)") ms" \
    "$(figure largest.view_cpu)" "$(figure largest.cpu)" le
ratio_goal "10 concurrent scrapes <= 1.5 x one" largest.concurrent largest.scrape 1.5
gzip_cost=$(awk -v c="$(figure largest.compress)" -v s="$(figure largest.scrape)" 'BEGIN { printf "%.3f", c / s }')
goal "compression < 10% of the scrape at 250k" "$(awk -v c="$gzip_cost" 'BEGIN { printf "%.1f%%", c * 100 }')" "$gzip_cost" 0.10 lt
goal "accounting on: scrape CPU / floor no worse than with it off" "$(figure acct.on_ratio) x vs $(figure acct.off_ratio) x" \
    "$(figure acct.on_ratio)" "$(figure acct.off_ratio)" le
goal "names on, cache warm: scrape CPU at 250k / 10k hosts <= 1.05 x names off" "$(figure names.ratio) x" "$(figure names.ratio)" 1.05 le
goal "DNS unreachable: scrape wall time <= 1.10 x names off" "$(figure names.unreachable_wall) x" "$(figure names.unreachable_wall)" 1.10 le
goal "events mode: memory per kept entry <= 32 bytes beyond dump mode ($(figure eventtable.entries) entries)" "$(figure eventtable.bytes_per_entry) B" "$(figure eventtable.bytes_per_entry)" 32 le
goal "events mode, $(figure eventtable.entries) entries, 15 s at 2,000 new connections/s: CPU <= 0.10 x a dump-mode scrape" "$(figure eventtable.interval_ratio) x" \
    "$(figure eventtable.interval_ratio)" 0.10 le
goal "dump mode, 250k / 10k hosts: gzip scrape CPU <= 1.30 x floor CPU" "$(figure source.gzip_ratio) x" "$(figure source.gzip_ratio)" 1.30 le
goal "dump mode, 250k / 10k hosts: plain scrape CPU <= 1.20 x floor CPU" "$(figure source.plain_ratio) x" "$(figure source.plain_ratio)" 1.20 le
goal "two scrapers 1 s apart within --table.max-age: one dump" "$(figure source.shared_reads) read(s)" "$(figure source.shared_reads)" 1 le
# Met only when auto chose dumps there as well.
goal "auto at 250k under conntrack-churn at full speed, scraped every 15 s: picks dumps, CPU <= 1.05 x dump mode" \
    "$(figure source.auto_choice), $(figure source.auto_ratio) x" \
    "$([ "$(figure source.auto_choice)" = dump ] && figure source.auto_ratio || echo inf)" 1.05 le
