# calibrate's refusals: a bad value is one line naming it, exit 2, nothing measured or
# written; a file that cannot be written, or a measurement that fails, is exit 1 with one
# line, and leaves nothing behind (an earlier file stays as it was).
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"

echo "keep" >calibration.csv

# expect_usage EXPECTED_STDERR ARGS...
expect_usage() {
    local expected=$1
    shift
    run_status "$PARLAB_BIN/calibrate" "$@"
    assert_eq "calibrate $* exit" 2 "$T_STATUS"
    assert_eq "calibrate $* message" "calibrate: $expected" "$T_ERR"
    assert_eq "calibrate $* stdout" "" "$T_OUT"
}

expect_usage "--runs: '5' is out of range (6 to 100000)" --runs 5
expect_usage "--runs: '100001' is out of range (6 to 100000)" --runs 100001
expect_usage "--runs: 'ten' is not a whole number from 6 to 100000" --runs ten
expect_usage "--runs: '-7' is not a whole number from 6 to 100000" --runs -7
expect_usage "option '--runs' needs a value (see --help)" --runs
expect_usage "--only: 'forks' is not a primitive (see --help)" --only fork,forks
expect_usage "--only: 'fork,,div32' has an empty name (a comma list of primitives)" \
    --only fork,,div32
expect_usage "--only: '' has an empty name (a comma list of primitives)" --only ""
expect_usage "--only: 'mpi_startup' needs --mpirun and --primes-mpi" --only mpi_startup
expect_usage "--mpirun: 'mpirun' needs --primes-mpi too" --mpirun mpirun
expect_usage "--primes-mpi: 'x' needs --mpirun too" --primes-mpi x
expect_usage "--output: the file name is empty" --output ""
expect_usage "unknown option '--fast' (see --help)" --fast
expect_usage "unexpected argument 'extra' (see --help)" extra
expect_usage "unexpected argument 'bare' (see --help)" bare
# The start-up child's word with anything but its two modes is no way in either.
expect_usage "unknown option '--startup-child' (see --help)" --startup-child other
assert_eq "nothing written on a usage error" keep "$(cat calibration.csv)"

run_status "$PARLAB_BIN/calibrate" --help
assert_eq "--help exit" 0 "$T_STATUS"
assert_match "--help text" "^usage: calibrate " "$T_OUT"

# Unwritable: exit 1, one line naming the path, no temporary left behind.
mkdir dir
run_status "$PARLAB_BIN/calibrate" --quick --only syscall --output dir
assert_eq "a directory: exit" 1 "$T_STATUS"
assert_eq "a directory: one line" "calibrate: cannot write 'dir': Is a directory" "$T_ERR"
run_status "$PARLAB_BIN/calibrate" --quick --only syscall --output missing/c.csv
assert_eq "a missing folder: exit" 1 "$T_STATUS"
assert_eq "a missing folder: one line" \
    "calibrate: cannot write 'missing/c.csv': No such file or directory" "$T_ERR"
assert_eq "nothing left behind" "calibration.csv dir" "$(ls | tr '\n' ' ' | sed 's/ $//')"
assert_eq "the directory untouched" "" "$(ls dir)"

# A measurement that fails (an mpirun that exits 1): exit 1, one line, the earlier file kept.
printf '#!/bin/sh\nexit 1\n' >false-mpirun
chmod +x false-mpirun
run_status "$PARLAB_BIN/calibrate" --quick --only syscall,mpi_startup --mpirun ./false-mpirun \
    --primes-mpi ./nowhere
assert_eq "a failed measurement: exit" 1 "$T_STATUS"
assert_eq "a failed measurement: one line" \
    "calibrate: mpi_startup 1: './false-mpirun' exited with status 1; nothing written" "$T_ERR"
assert_eq "a failed measurement: the earlier file kept" keep "$(cat calibration.csv)"

t_done
