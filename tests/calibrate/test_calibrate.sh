# calibrate --quick: every primitive's rows, in order, well formed and within sane bounds
# (check_csv.py); --runs sets the samples; --only measures what it names and nothing else.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"

CHECK=("$PYTHON3" "$PARLAB_TESTS/calibrate/check_csv.py")
ALL=(startup:bare startup:cold startup:papi startup:launched startup:nonoptimized startup:optimized
    fork:exit pipe_procs:1byte thread:16 thread:64 thread:256 thread:8192 thread:16-detached
    pipe_threads:1byte syscall:getppid tcp_connect:loopback tcp_connect:session
    atomic:contended atomic:uncontended div32:latency div32:throughput div32:kernel div32:scan
    write:file write:primes)

# Every primitive, into the default file in the current folder; nothing on stdout or stderr.
run_status "$PARLAB_BIN/calibrate" --quick
assert_eq "calibrate --quick exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "calibrate --quick is silent" "" "$T_OUT$T_ERR"
run_status "${CHECK[@]}" calibration.csv 11 "${ALL[@]}"
assert_eq "calibration.csv well formed and sane ($T_ERR)" 0 "$T_STATUS"
assert_eq "no temporary left beside it" "calibration.csv" "$(ls)"
# The writer's file is the lab's default N: pi(10^6) = 78,498 primes, each timed.
assert_eq "write times the 78498 primes up to 10^6" 1 \
    "$(grep -c '^write,primes,ns,11,.*of the 78498 primes up to 1000000 ' calibration.csv)"

# --runs, --only and --output: the rows named, in the program's order whatever the list's.
run_status "$PARLAB_BIN/calibrate" --quick --runs 7 --only div32,syscall,div32 --output sub.csv
assert_eq "--only exit ($T_ERR)" 0 "$T_STATUS"
run_status "${CHECK[@]}" sub.csv 7 syscall:getppid div32:latency div32:throughput div32:kernel \
    div32:scan
assert_eq "--only: those rows alone, 7 samples each ($T_ERR)" 0 "$T_STATUS"

# A file there already is replaced whole.
echo "old" >again.csv
run_status "$PARLAB_BIN/calibrate" --quick --only fork -o again.csv
assert_eq "--only fork exit ($T_ERR)" 0 "$T_STATUS"
run_status "${CHECK[@]}" again.csv 11 fork:exit
assert_eq "an earlier file replaced by the new rows ($T_ERR)" 0 "$T_STATUS"

t_done
