# The prime-finder sweeps, sourced by bench/run (which defines compare_point, once_point,
# BIN, BENCH, RUN, CORES, PY). Programs that are compared are timed together, in shuffled
# blocks: each comparison is one compare_point.

# The problem size at which the programs time their start-up alone (the report's
# results.STARTUP_LIMIT): the primes up to 10 are 4, found in a few divisions.
PRIMES_STARTUP_LIMIT=10

# Log-spaced chunk sizes, 1 to 10^5.
PRIMES_CHUNKS_FULL="1 10 100 1000 10000 100000"
PRIMES_CHUNKS_QUICK="1 100 1000 100000"

# Variants of a comparison, gathered in VARIANTS and timed together by primes_compare.
VARIANTS=()

variant_optimized() { # LIMIT PROCS SCHEDULE CHUNK
    VARIANTS+=(@ optimized "$1" "$2" "$3" "$4"
        "$BIN/optimized" --limit "$1" --procs "$2" --schedule "$3" --chunk "$4" --output out.txt)
}

# Every backend optimized has in this build: fork (the lab's program), threads, and openmp
# where the compiler had OpenMP.
primes_backends_built() {
    PRIMES_BACKENDS="fork threads"
    "$BIN/optimized" --help | grep -q 'openmp: .*not in this build' ||
        PRIMES_BACKENDS+=" openmp"
}

variant_backend() { # BACKEND LIMIT PROCS: the dynamic schedule, chunk 1000
    local program=optimized
    [[ $1 == fork ]] || program=optimized-$1
    VARIANTS+=(@ "$program" "$2" "$3" dynamic 1000
        "$BIN/optimized" --backend "$1" --limit "$2" --procs "$3" --output out.txt)
}

# MPI where it was built and mpirun is there: its ranks over TCP (bench/mpirun-tcp, named by
# meta.json's mpi_transport), dynamic by the RMA counter, chunk 1000; timed with mpirun. Not
# from a sanitized build: LeakSanitizer fails every rank on what Open MPI keeps past
# MPI_Finalize (tests/mpi suppresses it by library; a timing run has no use for it).
primes_mpi_built() {
    [[ -z $SANITIZE && -x $BIN/primes_mpi ]] && command -v mpirun >/dev/null
}

variant_mpi() { # LIMIT PROCS
    primes_mpi_built || return 0
    VARIANTS+=(@ primes_mpi "$1" "$2" dynamic 1000
        "$BENCH/mpirun-tcp" -np "$2" "$BIN/primes_mpi" --limit "$1" --output out.txt)
}

variant_nonoptimized() { # LIMIT
    VARIANTS+=(@ nonoptimized "$1" 1 serial "$(($1 + 1))"
        "$BIN/nonoptimized" --limit "$1" --output out.txt)
}

variant_primesieve() { # LIMIT: the state of the art, one thread, counting only (no output)
    command -v primesieve >/dev/null || return 0
    VARIANTS+=(@ primesieve "$1" 1 sieve "$1" "$(command -v primesieve)" "$1" --count
        --threads=1 --quiet)
}

# primes_compare SWEEP RUNS WARMUP ATTEMPTS LABEL: times the VARIANTS gathered, one comparison
# in shuffled blocks, and empties VARIANTS.
primes_compare() {
    local n=0 w
    for w in "${VARIANTS[@]}"; do [[ $w == @ ]] && n=$((n + 1)); done
    compare_point "$1" "$2" "$3" "$4" "$1 $5 ($n variants)" "${VARIANTS[@]}"
    VARIANTS=()
}

primes_metrics() { # LIMIT PROCS SCHEDULE CHUNK [BACKEND]: one run with --metrics, per worker
    once_point "primes_metrics limit=$1 procs=$2 schedule=$3 chunk=$4${5:+ backend=$5}" -- \
        "$BIN/optimized" --limit "$1" --procs "$2" --schedule "$3" --chunk "$4" \
        --backend "${5:-fork}" --output out.txt --metrics "$RUN/primes_metrics.csv"
}

primes_mpi_metrics() { # LIMIT PROCS: one primes_mpi run with --metrics, a row per rank
    primes_mpi_built || return 0
    once_point "primes_metrics limit=$1 procs=$2 primes_mpi" -- \
        "$BENCH/mpirun-tcp" -np "$2" "$BIN/primes_mpi" --limit "$1" --output out.txt \
        --metrics "$RUN/primes_metrics.csv"
}

# Every backend side by side, against the single process, in one comparison per N: at N = 10
# (start-up alone: loading, starting the workers, writing the file), 10^6, and 10^7 (full
# sweep only); then a --metrics run of each at 10^6, for the per-worker balance.
primes_backends() { # RUNS WARMUP ATTEMPTS BIG_RUNS BIG_WARMUP BIG_ATTEMPTS MODE PROCS...
    local runs=$1 warmup=$2 attempts=$3 big_runs=$4 big_warmup=$5 big_attempts=$6 mode=$7
    shift 7
    local limits="$PRIMES_STARTUP_LIMIT 1000000" n b p r w a
    [[ $mode == full ]] && limits+=" 10000000"
    [[ $mode == tiny ]] && limits="$PRIMES_STARTUP_LIMIT 10000"
    primes_backends_built
    for n in $limits; do
        r=$runs w=$warmup a=$attempts
        ((n >= 3000000)) && r=$big_runs w=$big_warmup a=$big_attempts
        variant_nonoptimized "$n"
        for b in $PRIMES_BACKENDS; do
            for p in "$@"; do variant_backend "$b" "$n" "$p"; done
        done
        for p in "$@"; do variant_mpi "$n" "$p"; done
        primes_compare primes_backends "$r" "$w" "$a" "limit=$n"
    done
    n=1000000
    [[ $mode == tiny ]] && n=10000
    for b in $PRIMES_BACKENDS; do
        [[ $b == fork ]] && continue # the process sweep's metrics runs have it
        for p in "$@"; do primes_metrics "$n" "$p" dynamic 1000 "$b"; done
    done
    for p in "$@"; do primes_mpi_metrics "$n" "$p"; done
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
    # runs: timed blocks per comparison, so runs of each variant; a two-sided Mann-Whitney
    # test needs at least 5 a side to reach p < 0.01 at all (stats.min_runs_for), the gate's
    # alpha. attempts: measurements of a comparison in all while a variant is disturbed; the
    # comparisons of runs of seconds (big: N >= 3*10^6, Python) are measured once, within the
    # time budget (make bench 10 minutes, make bench-quick 2, on 2 cores), suspect or not.
    local mode=$1 runs=10 warmup=1 attempts=2 chunks=$PRIMES_CHUNKS_FULL limit=1000000
    local big_runs=6 big_warmup=0 big_attempts=1 procs_list sizes
    procs_list=$(seq 1 $((2 * CORES)))
    sizes="100000 300000 1000000 3000000 10000000"
    case $mode in
    quick)
        runs=6 warmup=1 big_runs=6 chunks=$PRIMES_CHUNKS_QUICK sizes="100000 1000000"
        procs_list=$(printf '%s\n' 1 "$CORES" $((2 * CORES)) | sort -nu)
        ;;
    tiny) # seconds: the pipeline's shape, for tests; measured once, however disturbed
        runs=2 warmup=0 attempts=1 big_runs=2 chunks="1 1000" limit=10000 sizes="1000 10000"
        procs_list=$(printf '%s\n' 1 "$CORES" | sort -nu)
        ;;
    esac

    # Processes x schedule, against the single-process program: one comparison.
    variant_nonoptimized $limit
    for schedule in dynamic static cyclic; do
        for procs in $procs_list; do
            variant_optimized $limit "$procs" $schedule 1000
        done
    done
    primes_compare primes_procs $runs $warmup $attempts "limit=$limit"
    # The same at 10^7 for the default schedule (full sweep only: 1-4 s a run).
    if [[ $mode == full ]]; then
        variant_nonoptimized 10000000
        for procs in $procs_list; do
            variant_optimized 10000000 "$procs" dynamic 1000
        done
        primes_compare primes_procs $big_runs $big_warmup $big_attempts "limit=10000000 dynamic"
    fi

    # Chunk size per schedule (static takes no chunk), on every core: one comparison.
    for schedule in dynamic cyclic; do
        for chunk in $chunks; do
            variant_optimized $limit "$CORES" $schedule "$chunk"
        done
    done
    primes_compare primes_chunk $runs $warmup $attempts "limit=$limit procs=$CORES"

    # Problem size: brute force on one and on all cores, primesieve as the state of the art;
    # one comparison per N. N = 10 first: nothing to compute, so its times are each program's
    # start-up (loading, forking the workers, writing the file), which the report subtracts
    # from the other N to fit the cost exponent on compute time.
    for n in $PRIMES_STARTUP_LIMIT $sizes; do
        local r=$runs w=$warmup a=$attempts
        ((n >= 3000000)) && r=$big_runs w=$big_warmup a=$big_attempts
        variant_nonoptimized "$n"
        variant_optimized "$n" "$CORES" dynamic 1000
        variant_primesieve "$n"
        primes_compare primes_size $r $w $a "limit=$n"
    done

    # C against the lab's Python solutions, as one writes them first, and primesieve: one
    # comparison. The interpreter is the real one ($PY), not a shim.
    variant_nonoptimized $limit
    variant_optimized $limit "$CORES" dynamic 1000
    VARIANTS+=(@ python_nonoptimized $limit 1 serial $((limit + 1))
        "$PY" "$BENCH/python/nonoptimized.py" $limit out.txt)
    VARIANTS+=(@ python_optimized $limit "$CORES" pool 10000
        "$PY" "$BENCH/python/optimized.py" $limit out.txt "$CORES")
    variant_primesieve $limit
    primes_compare primes_python $big_runs $big_warmup $big_attempts "limit=$limit"

    # Every way of going parallel: fork, threads, OpenMP, MPI.
    # shellcheck disable=SC2086 # procs_list is a list of numbers
    primes_backends $runs $warmup $attempts $big_runs $big_warmup $big_attempts "$mode" \
        $procs_list

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
