# The prime-finder sweeps, sourced by bench/run (which defines time_point, once_point,
# BIN, BENCH, RUN, CORES).

# Log-spaced chunk sizes, 1 to 10^5.
PRIMES_CHUNKS_FULL="1 10 100 1000 10000 100000"
PRIMES_CHUNKS_QUICK="1 100 1000 100000"

primes_time() { # SWEEP RUNS WARMUP PROGRAM LIMIT PROCS SCHEDULE CHUNK -- COMMAND...
    local sweep=$1 runs=$2 warmup=$3 program=$4 limit=$5 procs=$6 schedule=$7 chunk=$8
    shift 9
    time_point "$sweep" "$runs" "$warmup" \
        "$sweep $program limit=$limit procs=$procs schedule=$schedule chunk=$chunk" \
        program="$program" limit="$limit" procs="$procs" schedule="$schedule" chunk="$chunk" \
        -- "$@"
}

primes_optimized() { # SWEEP RUNS WARMUP LIMIT PROCS SCHEDULE CHUNK
    primes_time "$1" "$2" "$3" optimized "$4" "$5" "$6" "$7" -- \
        "$BIN/optimized" --limit "$4" --procs "$5" --schedule "$6" --chunk "$7" --output out.txt
}

primes_nonoptimized() { # SWEEP RUNS WARMUP LIMIT
    primes_time "$1" "$2" "$3" nonoptimized "$4" 1 serial "$(($4 + 1))" -- \
        "$BIN/nonoptimized" --limit "$4" --output out.txt
}

primes_metrics() { # LIMIT PROCS SCHEDULE CHUNK: one run with --metrics, per-worker counters
    once_point "primes_metrics limit=$1 procs=$2 schedule=$3 chunk=$4" -- \
        "$BIN/optimized" --limit "$1" --procs "$2" --schedule "$3" --chunk "$4" --output out.txt \
        --metrics "$RUN/primes_metrics.csv"
}

# checksum_point PROGRAM LIMIT PROCS SCHEDULE CHUNK -- COMMAND...: runs COMMAND once (it
# writes out.txt) and records the output's sha256 in primes_checksums.csv.
checksum_point() {
    local program=$1 limit=$2 procs=$3 schedule=$4 chunk=$5
    shift 6
    once_point "primes_checksums $program limit=$limit procs=$procs schedule=$schedule" -- "$@"
    [[ $PASS == count ]] && return
    local csv=$RUN/primes_checksums.csv
    [[ -f $csv ]] || echo "program,limit,procs,schedule,chunk,sha256,bytes" >"$csv"
    echo "$program,$limit,$procs,$schedule,$chunk,$(sha256sum <"$SCRATCH/out.txt" | cut -d' ' -f1),$(stat -c %s "$SCRATCH/out.txt")" >>"$csv"
}

# instructions_point PROGRAM LIMIT PROCS SCHEDULE CHUNK -- COMMAND...: counts the
# instructions COMMAND and its forked children execute, with callgrind (exact and
# repeatable, and it needs no hardware counters), into primes_instructions.csv.
instructions_point() {
    local program=$1 limit=$2 procs=$3 schedule=$4 chunk=$5
    shift 6
    [[ -z $SANITIZE ]] && command -v valgrind >/dev/null || return 0
    rm -f "$SCRATCH"/callgrind.out.*
    once_point "primes_instructions $program limit=$limit procs=$procs schedule=$schedule" -- \
        valgrind --tool=callgrind --trace-children=yes \
        --callgrind-out-file="$SCRATCH/callgrind.out.%p" "$@"
    [[ $PASS == count ]] && return
    local csv=$RUN/primes_instructions.csv
    [[ -f $csv ]] || echo "program,limit,procs,schedule,chunk,instructions" >"$csv"
    echo "$program,$limit,$procs,$schedule,$chunk,$(cat "$SCRATCH"/callgrind.out.* |
        awk '/^summary:/ {s += $2} END {printf "%d", s}')" >>"$csv"
}

# Output checksums and instruction counts of every program and schedule at LIMIT.
primes_checks() {
    local limit=$1 check=$2
    $check nonoptimized "$limit" 1 serial $((limit + 1)) -- \
        "$BIN/nonoptimized" --limit "$limit" --output out.txt
    for schedule in dynamic static cyclic; do
        $check optimized "$limit" "$CORES" $schedule 1000 -- \
            "$BIN/optimized" --limit "$limit" --procs "$CORES" --schedule $schedule --output out.txt
    done
}

primes_sweeps() {
    local mode=$1 runs=10 warmup=2 chunks=$PRIMES_CHUNKS_FULL limit=1000000 procs_list sizes
    local big_runs=5 big_warmup=1
    procs_list=$(seq 1 $((2 * CORES)))
    sizes="100000 300000 1000000 3000000 10000000"
    case $mode in
    quick)
        runs=5 warmup=1 chunks=$PRIMES_CHUNKS_QUICK sizes="100000 1000000"
        procs_list=$(printf '%s\n' 1 "$CORES" $((2 * CORES)) | sort -nu)
        ;;
    tiny) # seconds: the pipeline's shape, for tests
        runs=2 warmup=0 big_runs=2 big_warmup=0 chunks="1 1000" limit=10000 sizes="1000 10000"
        procs_list=$(printf '%s\n' 1 "$CORES" | sort -nu)
        ;;
    esac

    # Processes x schedule, against the single-process program.
    primes_nonoptimized primes_procs $runs $warmup $limit
    for schedule in dynamic static cyclic; do
        for procs in $procs_list; do
            primes_optimized primes_procs $runs $warmup $limit "$procs" $schedule 1000
        done
    done
    # The same at 10^7 for the default schedule (full sweep only: 1-3 s a run).
    if [[ $mode == full ]]; then
        primes_nonoptimized primes_procs $big_runs $big_warmup 10000000
        for procs in $procs_list; do
            primes_optimized primes_procs $big_runs $big_warmup 10000000 "$procs" dynamic 1000
        done
    fi

    # Chunk size per schedule (static takes no chunk), on every core.
    for schedule in dynamic cyclic; do
        for chunk in $chunks; do
            primes_optimized primes_chunk $runs $warmup $limit "$CORES" $schedule "$chunk"
        done
    done

    # Problem size: brute force on one and on all cores, primesieve as the state of the art.
    for n in $sizes; do
        local r=$runs w=$warmup
        ((n >= 3000000)) && r=$big_runs w=$big_warmup
        primes_nonoptimized primes_size $r $w "$n"
        primes_optimized primes_size $r $w "$n" "$CORES" dynamic 1000
        if command -v primesieve >/dev/null; then
            primes_time primes_size $r $w primesieve "$n" 1 sieve "$n" -- \
                primesieve "$n" --print --threads=1
        fi
    done

    # C against the lab's Python solutions, as one writes them first.
    primes_nonoptimized primes_python $big_runs $big_warmup $limit
    primes_optimized primes_python $big_runs $big_warmup $limit "$CORES" dynamic 1000
    primes_time primes_python $big_runs $big_warmup python_nonoptimized $limit 1 serial \
        $((limit + 1)) -- python3 "$BENCH/python/nonoptimized.py" $limit out.txt
    primes_time primes_python $big_runs $big_warmup python_optimized $limit "$CORES" pool 10000 \
        -- python3 "$BENCH/python/optimized.py" $limit out.txt "$CORES"

    # Deterministic figures for the regression gate: output checksums, instruction counts.
    primes_checks $limit checksum_point
    primes_checks $((limit / 10)) instructions_point

    # Per-worker counters, once per point of the process and chunk sweeps.
    for schedule in dynamic static cyclic; do
        for procs in $procs_list; do
            primes_metrics $limit "$procs" $schedule 1000
        done
    done
    for schedule in dynamic cyclic; do
        for chunk in $chunks; do
            primes_metrics $limit "$CORES" $schedule "$chunk"
        done
    done
}
