#!/usr/bin/env bash
# Round trips per second of the three mean servers under the same load: build/bin/server
# (thread per connection), build/bin/server --model epoll --threads 1 (one epoll loop) and
# py_threaded_server.py (the lab's design in Python), all with --quiet, each hit by
# build/bin/loadgen keeping CLIENTS connections in flight with no pause. Runs are
# interleaved: each round runs every server once, in an order shuffled afresh for the round,
# each against a freshly started server; the medians and ratios close.
#
# usage: bench/servers/compare.sh [--clients N] [--threads T] [--seconds S] [--runs R]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/csv.sh
clients=64 threads=2 seconds=5 runs=3
# Values are checked before use: bash evaluates a variable named in (( )) as an expression,
# command substitutions included, so an unchecked --runs would be code.
while (($#)); do
    [[ $# -ge 2 ]] || { echo "compare.sh: option '$1' needs a value" >&2; exit 2; }
    case $1 in
    --clients | --threads | --runs)
        [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: $1: '$2' is not a positive whole number" >&2; exit 2; }
        ;;
    --seconds)
        [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "compare.sh: $1: '$2' is not a number of seconds" >&2; exit 2; }
        ;;
    *) echo "compare.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    case $1 in
    --clients) clients=$2 ;;
    --threads) threads=$2 ;;
    --seconds) seconds=$2 ;;
    --runs) runs=$2 ;;
    esac
    shift 2
done
bin=${PARLAB_BIN:-build/bin}
python=${PYTHON3:-python3}
for prog in "$bin/server" "$bin/loadgen"; do
    [[ -x $prog ]] || { echo "compare.sh: $prog is missing (run make)" >&2; exit 1; }
done
names=(threaded epoll python)
# Each server's command as words, never a string split by the shell: $bin and $python may
# hold spaces or quotes.
server_command() {
    case $1 in
    threaded) "$bin/server" 0 --quiet ;;
    epoll) "$bin/server" 0 --model epoll --threads 1 --quiet ;;
    python) "$python" bench/servers/py_threaded_server.py 0 --quiet ;;
    esac
}
log=$(mktemp)
csv=$(mktemp)
trap 'rm -f "$log" "$csv"' EXIT

# Starts a server on a free port, loads it, stops it; prints the round trips per second.
measure() {
    server_command "$1" >"$log" 2>&1 &
    local pid=$! port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^Server: listening on .*:\([0-9]*\)$/\1/p' "$log")
        [[ -n $port ]] && break
        sleep 0.05
    done
    [[ -n $port ]] || { echo "compare.sh: '$1' did not start: $(cat "$log")" >&2; kill "$pid"; exit 1; }
    rm -f "$csv"
    "$bin/loadgen" "127.0.0.1:$port" --clients "$clients" --threads "$threads" \
        --duration "$seconds" --quiet --csv "$csv" >&2
    kill -TERM "$pid"
    wait "$pid" || true
    local rate
    rate=$(csv_columns "$csv" sessions_per_s | head -n 1) || exit 1
    echo "${rate%.*}"
}

declare -A rates
echo "clients $clients, load threads $threads, $seconds s per run, $runs runs, $(nproc) CPUs" >&2
# A fixed order would hand load from elsewhere that lasts a few seconds to whichever server
# comes at that place in every round.
for ((r = 1; r <= runs; r++)); do
    mapfile -t order < <(printf '%s\n' "${names[@]}" | shuf)
    for name in "${order[@]}"; do
        echo -n "run $r $name: " >&2
        rates[$name]+="$(measure "$name") "
    done
done
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
t=$(median "${rates[threaded]}") e=$(median "${rates[epoll]}") p=$(median "${rates[python]}")
echo "median round trips/s: threaded $t, epoll $e, python $p"
awk -v t="$t" -v e="$e" -v p="$p" 'BEGIN {printf "threaded/epoll %.2f, threaded/python %.2f\n", t/e, t/p}'
