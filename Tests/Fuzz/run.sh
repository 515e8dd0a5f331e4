#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer with AddressSanitizer) of the two parsers that read
# what others send: the HTTP request parser and the netlink entry parser. Each runs
# FUZZ_SECONDS (default 60) from the committed seed corpus; a crash fails the run and
# leaves the input in the work folder it names.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
work=$(mktemp -d /tmp/cte-fuzz.XXXXXX)
cd "$work"

clang -g -O1 -fsanitize=fuzzer,address -I "$root/Sources/CConntrack/include" \
    $(pkg-config --cflags libnetfilter_conntrack libmnl) \
    "$root/Tests/Fuzz/netlink_entry_fuzzer.c" "$root"/Sources/CConntrack/*.c \
    $(pkg-config --libs libnetfilter_conntrack libmnl) -lpthread -o netlink-fuzzer
# The parser's files with the one helper they import, built as one module so the fuzzer
# reaches their internals.
sed '/^import TextFormatting$/d' "$root"/Sources/HTTPServer/{HTTPRequestParser,HTTPRequest,HTTPStatus}.swift \
    "$root/Sources/TextFormatting/StringTrimming.swift" >http-parser.swift
swiftc -g -O -parse-as-library -sanitize=fuzzer,address -module-name HTTPFuzz \
    "$root/Tests/Fuzz/HTTPRequestParserFuzzer.swift" http-parser.swift -o http-fuzzer

for target in netlink http; do
    mkdir -p "corpus-$target"
    cp "$root/Tests/Fuzz/corpus/$target"/* "corpus-$target/"
    echo "fuzzing the $target parser for $seconds s (work folder $work)"
    "./$target-fuzzer" -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 "corpus-$target" 2>"$target.log" \
        || { tail -40 "$target.log"; echo "fuzz: the $target parser failed; inputs in $work" >&2; exit 1; }
    grep -E "stat::number_of_executed_units|cov:" "$target.log" | tail -2
done
rm -rf "$work"
