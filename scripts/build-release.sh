#!/usr/bin/env bash
# Builds the release binary with the Swift runtime linked statically and installs it, stripped, in
# OUTPUT_DIR. The Dockerfile's build stage runs this, and so do the tests, so the image's
# recipe is exercised where no Docker engine runs.
#   scripts/build-release.sh OUTPUT_DIR [SCRATCH_PATH]
set -euo pipefail
out=${1:?usage: scripts/build-release.sh OUTPUT_DIR [SCRATCH_PATH]}
scratch=${2:-.build}
cd "$(dirname "$0")/.."
flags=(-c release --static-swift-stdlib --scratch-path "$scratch")
swift build "${flags[@]}" --product conntrack_exporter
install -D -s -m 0755 "$(swift build "${flags[@]}" --show-bin-path)/conntrack_exporter" "$out/conntrack_exporter"
