# calibrate --mpirun: mpirun's start-up of primes_mpi --limit 10 with 1 and 2 ranks, through
# bench/mpirun-tcp as bench/run passes it, two well-formed rows within sane bounds.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
mpirun_bin=${1:?usage: test_mpi.sh MPIRUN}
cd "$T_DIR"

export PARLAB_MPIRUN=$mpirun_bin
run_status "$PARLAB_BIN/calibrate" --quick --runs 6 --only mpi_startup \
    --mpirun "$(dirname "$PARLAB_TESTS")/bench/mpirun-tcp" --primes-mpi "$PARLAB_BIN/primes_mpi"
assert_eq "calibrate --mpirun exit ($T_ERR)" 0 "$T_STATUS"
run_status "$PYTHON3" "$PARLAB_TESTS/calibrate/check_csv.py" calibration.csv 6 \
    mpi_startup:1 mpi_startup:2
assert_eq "mpi_startup rows well formed and sane ($T_ERR)" 0 "$T_STATUS"
assert_eq "primes_mpi's output went nowhere" "calibration.csv" "$(ls)"

t_done
