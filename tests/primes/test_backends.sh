# Every backend (fork, threads, openmp) gives the exact software counts, a --metrics row per
# worker, and keeps the failure rules (the files they write: test_schedules.sh).
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$(dirname "$PARLAB_TESTS")/bench/csv.sh" || exit 1
cd "$T_DIR"
source "$PARLAB_TESTS/primes/backends.sh" || exit 1

# run_row FILE COLUMN...: the named columns of the whole-run row (worker "all").
run_row() {
    local file=$1
    shift
    csv_columns "$file" worker "$@" | sed -n 's/^all,//p'
}

# Exact software counts at 10^6 from every backend, a row per worker adding up to the run.
declare -A program=([fork]=optimized [threads]=optimized-threads [openmp]=optimized-openmp)
for backend in $backends; do
    for run in "dynamic 2 1000" "static 3 1" "cyclic 7 1"; do
        read -r schedule procs chunk <<<"$run"
        what="--backend $backend --schedule $schedule --procs $procs --chunk $chunk"
        rm -f m.csv
        run_status "$PARLAB_BIN/optimized" $what --metrics m.csv --events none
        assert_eq "$what exit" 0 "$T_STATUS"
        assert_eq "$what rows" $((procs + 2)) "$(wc -l <m.csv)"
        assert_eq "$what workers" "$(seq -s ' ' 0 $((procs - 1))) all" \
            "$(csv_columns m.csv worker | paste -sd' ')"
        assert_eq "$what whole run" "${program[$backend]},1000000,$procs,$schedule" \
            "$(run_row m.csv program limit procs schedule)"
        assert_eq "$what counts at 10^6" "999999,67740404,78498" \
            "$(run_row m.csv numbers_tested trial_divisions primes_found)"
        sums=$(csv_columns m.csv worker numbers_tested trial_divisions primes_found |
            awk -F, '$1 != "all" {t += $2; d += $3; p += $4} END {printf "%d,%d,%d", t, d, p}')
        assert_eq "$what workers add up" "999999,67740404,78498" "$sums"
        cpu=$(csv_columns m.csv worker cpu_ns | awk -F, '$1 != "all" && $2 > 0 {n++} END {print n + 0}')
        assert_eq "$what every worker has its own CPU time" "$procs" "$cpu"
    done
done

# Threads share one process: hardware events are not split per thread, and one line says so.
rm -f m.csv
run_status "$PARLAB_BIN/optimized" --limit 1000 --procs 2 --backend threads --metrics m.csv \
    --events PAPI_TOT_INS
assert_eq "threads with events exit" 0 "$T_STATUS"
assert_eq "threads with events: one note" 1 \
    "$(grep -c '^optimized: --backend threads: hardware events are counted per process only' <<<"$T_ERR")"
assert_eq "threads with events: empty cells" "" "$(csv_columns m.csv PAPI_TOT_INS | sort -u)"

# A threads run killed mid-run writes nothing and leaves the earlier file as it was.
mkdir killed && cd killed || exit 1
echo "earlier" >primes_optimized.txt
"$PARLAB_BIN/optimized" --limit 300000000 --procs 2 --backend threads 2>err &
pid=$!
sleep 0.3
kill -KILL "$pid"
wait "$pid" 2>/dev/null
assert_eq "killed threads run: status" 137 "$?"
assert_eq "killed threads run: earlier file untouched" "earlier" "$(cat primes_optimized.txt)"
assert_eq "killed threads run: no temporary left" "err primes_optimized.txt" "$(ls | paste -sd' ')"

# Workers that cannot be started: each thread asks for a 256 MB stack in a 512 MB address
# space, so the third cannot start. The run fails naming the call, exit 1, nothing written.
for backend in $backends; do
    [[ $backend == fork ]] && continue
    run_status bash -c 'ulimit -v 524288 && ulimit -s 262144 &&
        OMP_STACKSIZE=256M exec "$@"' _ "$PARLAB_BIN/optimized" --limit 100000 --procs 7 \
        --backend "$backend"
    if [[ $T_ERR == *Sanitizer* ]]; then
        echo "note: a sanitized build cannot run in a small address space; skipped" >&2
        continue
    fi
    assert_eq "$backend: workers not started: exit" 1 "$T_STATUS"
    case $backend in
    threads)
        assert_match "$backend: workers not started: message" \
            "^optimized: pthread_create: cannot start worker [1-6] of 7: .*; no output written$" \
            "$T_ERR"
        ;;
    openmp)
        # The OpenMP runtime reports its own failure and ends the process.
        assert_match "$backend: workers not started: message" "hread creation failed" "$T_ERR"
        ;;
    esac
    assert_eq "$backend: workers not started: earlier file untouched" "earlier" \
        "$(cat primes_optimized.txt)"
done

t_done
