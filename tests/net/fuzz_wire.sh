#!/usr/bin/env bash
# A short fuzzing run of the stream parser: new inputs found go into a corpus kept in the
# build folder, so each run starts where the last one stopped.
# usage: fuzz_wire.sh FUZZER SEEDS_DIR CORPUS_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 corpus=$3 seconds=$4
mkdir -p "$corpus"
cd "$corpus/.."
exec "$fuzzer" -max_total_time="$seconds" -timeout=5 -max_len=512 -print_final_stats=1 \
    "$corpus" "$seeds"
