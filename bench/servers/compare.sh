#!/usr/bin/env bash
# Round trips per second of mean servers under the same load, by the names the bench sweeps
# give them (bench/server.sh): parlab's server in each concurrency model, `thread`, `pool`,
# `epoll-1` (one epoll loop), `epoll` (a loop per CPU), `uring`; the lab's design in Python,
# `python-threaded`; and the floors of the two designs, `floor-thread` and `floor-epoll`
# (bench/servers/floor_*.c). Each is hit by build/bin/loadgen keeping CLIENTS connections in
# flight with no pause. Runs are interleaved: each round runs every server once, in an order
# shuffled afresh for the round, each against a freshly started server; the medians, and
# each server's ratio to the first one named, close.
#
# usage: bench/servers/compare.sh [--clients N] [--threads T] [--seconds S] [--runs R]
#                                 [--servers NAME,NAME...]  (default thread,epoll-1,python-threaded)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/csv.sh
clients=64 threads=2 seconds=5 runs=3 servers=thread,epoll-1,python-threaded
known=" thread pool epoll-1 epoll uring python-threaded floor-thread floor-epoll "
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
    --servers) ;;
    *) echo "compare.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    case $1 in
    --clients) clients=$2 ;;
    --threads) threads=$2 ;;
    --seconds) seconds=$2 ;;
    --runs) runs=$2 ;;
    --servers) servers=$2 ;;
    esac
    shift 2
done
IFS=, read -ra names <<<"$servers"
((${#names[@]})) || { echo "compare.sh: --servers: no server named" >&2; exit 2; }
declare -A seen=()
for name in "${names[@]}"; do
    [[ $known == *" $name "* ]] ||
        { echo "compare.sh: --servers: no server called '$name' (one of:$known)" >&2; exit 2; }
    [[ -z ${seen[$name]-} ]] || { echo "compare.sh: --servers: '$name' named twice" >&2; exit 2; }
    seen[$name]=1
done
bin=${PARLAB_BIN:-build/bin}
python=${PYTHON3:-python3}
for prog in "$bin/server" "$bin/loadgen" "$bin/floor_thread" "$bin/floor_epoll"; do
    [[ -x $prog ]] || { echo "compare.sh: $prog is missing (run make)" >&2; exit 1; }
done
# Each server's command as words, never a string split by the shell: $bin and $python may
# hold spaces or quotes.
server_command() {
    case $1 in
    thread) "$bin/server" 0 --quiet ;;
    pool | epoll | uring) "$bin/server" 0 --model "$1" --quiet ;;
    epoll-1) "$bin/server" 0 --model epoll --threads 1 --quiet ;;
    python-threaded) "$python" bench/servers/py_threaded_server.py 0 --quiet ;;
    floor-thread) "$bin/floor_thread" 0 ;;
    floor-epoll) "$bin/floor_epoll" 0 ;;
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
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    [[ -n $port ]] || { echo "compare.sh: '$1' did not start: $(cat "$log")" >&2; kill "$pid" 2>/dev/null; exit 1; }
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
line="median round trips/s:"
ratios=()
first=${names[0]}
m0=$(median "${rates[$first]}")
for name in "${names[@]}"; do
    m=$(median "${rates[$name]}")
    line+=" $name $m,"
    [[ $name == "$first" ]] ||
        ratios+=("$(awk -v a="$m" -v b="$m0" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')")
done
echo "${line%,}"
if ((${#ratios[@]})); then
    line=""
    for k in "${!ratios[@]}"; do line+=", ${names[k + 1]}/$first ${ratios[k]}"; done
    echo "${line#, }"
fi
