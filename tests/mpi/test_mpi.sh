# primes_mpi under mpirun with 1, 2 and 3 ranks, forced over TCP so the network path is the
# one exercised: the same bytes as the reference for every schedule and chunk, the exact
# software counts per rank, a rank killed mid-run failing the job with nothing written,
# and bad arguments refused once, by rank 0, with exit 2.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$(dirname "$PARLAB_TESTS")/bench/csv.sh" || exit 1
mpirun_bin=${1:?usage: test_mpi.sh MPIRUN}
cd "$T_DIR"

# Ranks talk over TCP (loopback here) even on one machine, as bench/mpirun-tcp runs them.
MPIRUN=(env PARLAB_MPIRUN="$mpirun_bin" "$(dirname "$PARLAB_TESTS")/bench/mpirun-tcp")

# mpi NP ARGS...: primes_mpi on NP ranks, captured as run_status does.
mpi() {
    local np=$1
    shift
    run_status "${MPIRUN[@]}" -np "$np" "$PARLAB_BIN/primes_mpi" "$@"
}

reference_upto 1000000 >ref6
reference_upto 20000 >ref_small

# Every schedule (dynamic both ways) x ranks x chunk {1, 1000, > N}: chunk 1 at a smaller N,
# where a chunk a number means a message or an atomic a number.
for np in 1 2 3; do
    for variant in "static" "cyclic" "dynamic --dynamic rma" "dynamic --dynamic master"; do
        for run in "1000000 1000 ref6" "1000000 2000000 ref6" "20000 1 ref_small"; do
            read -r limit chunk ref <<<"$run"
            what="-np $np --schedule $variant --chunk $chunk --limit $limit"
            rm -f out.txt
            mpi "$np" --schedule $variant --chunk "$chunk" --limit "$limit" --output out.txt
            assert_eq "$what exit" 0 "$T_STATUS"
            assert_same_file "$what output" "$ref" out.txt
        done
    done
done

# The defaults: dynamic by RMA, chunk 1000, N = 10^6, primes_mpi.txt in the current folder.
mpi 2
assert_eq "defaults exit" 0 "$T_STATUS"
assert_same_file "defaults output" ref6 primes_mpi.txt

# Tiny limits: nothing or almost nothing to share out.
for limit in 0 1 2 3 10; do
    reference_upto "$limit" >ref_tiny
    rm -f out.txt
    mpi 3 --limit "$limit" --output out.txt
    assert_eq "--limit $limit exit" 0 "$T_STATUS"
    assert_same_file "--limit $limit output" ref_tiny out.txt
done

# --metrics: one row per rank and the run's, with the exact software counts at 10^6.
expected_header="program,limit,procs,chunk,schedule,worker,wall_ns,cpu_ns,numbers_tested,trial_divisions,primes_found"
for run in "2 dynamic rma dynamic-rma" "3 dynamic master dynamic-master" "3 static rma static" \
    "2 cyclic rma cyclic"; do
    read -r np schedule how column <<<"$run"
    what="-np $np --schedule $schedule --dynamic $how --metrics"
    rm -f m.csv
    mpi "$np" --schedule "$schedule" --dynamic "$how" --metrics m.csv --events none \
        --output out.txt
    assert_eq "$what exit" 0 "$T_STATUS"
    assert_same_file "$what output" ref6 out.txt
    assert_eq "$what header" "$expected_header" "$(head -1 m.csv)"
    assert_eq "$what workers" "$(seq -s ' ' 0 $((np - 1))) all" \
        "$(csv_columns m.csv worker | paste -sd' ')"
    assert_eq "$what run row" "primes_mpi,1000000,$np,$column,999999,67740404,78498" \
        "$(csv_columns m.csv worker program limit procs schedule numbers_tested trial_divisions \
            primes_found | sed -n 's/^all,//p')"
    for name in numbers_tested trial_divisions primes_found; do
        sums=$(csv_columns m.csv worker "$name" |
            awk -F, '$1 != "all" {s += $2} $1 == "all" {a = $2} END {printf "%.0f %.0f", s, a}')
        assert_eq "$what: ranks add up to the run for $name" "${sums#* }" "${sums% *}"
    done
    # Every rank did a share under static (its block is never empty at 10^6).
    if [[ $schedule == static ]]; then
        assert_eq "$what: every rank tested numbers" "" \
            "$(csv_columns m.csv worker numbers_tested | awk -F, '$1 != "all" && $2 == 0')"
    fi
done

# A rank killed mid-run (SIGKILL after its first chunk): the job fails, nothing is written,
# the earlier file stays, no temporary is left behind.
for variant in "static" "dynamic --dynamic rma" "dynamic --dynamic master"; do
    echo "earlier" >out.txt
    PARLAB_MPI_KILL_RANK=1 mpi 2 --limit 10000000 --schedule $variant --chunk 100000 \
        --output out.txt
    if ((T_STATUS != 0)); then t_pass; else t_fail "$variant, rank 1 killed: mpirun exited 0"; fi
    assert_eq "$variant, rank 1 killed: earlier file intact" "earlier" "$(cat out.txt)"
    assert_eq "$variant, rank 1 killed: nothing else in the folder" \
        "m.csv out.txt primes_mpi.txt ref6 ref_small ref_tiny" "$(ls | paste -sd' ')"
done

# Bad arguments: exit 2 and one line, from rank 0 only, naming the value; nothing written.
echo "keep" >out.txt
expect_usage() {
    local expected=$1
    shift
    mpi 3 --output out.txt "$@"
    assert_eq "$* exit" 2 "$T_STATUS"
    assert_eq "$* message, once" "primes_mpi: $expected" "$(grep '^primes_mpi:' <<<"$T_ERR")"
    assert_eq "$* stdout" "" "$T_OUT"
    assert_eq "$* output untouched" "keep" "$(cat out.txt)"
}
expect_usage "--schedule: 'guided' is not one of dynamic|static|cyclic" --schedule guided
expect_usage "--dynamic: 'shared' is not one of rma|master" --dynamic shared
expect_usage "--chunk: '0' is out of range (1 to 4294967296)" --chunk 0
expect_usage "--limit: '-5' is not a whole number from 0 to 4294967295" --limit -5
expect_usage "unknown option '--procs' (see --help)" --procs 2
expect_usage "unexpected argument 'extra' (see --help)" extra
mpi 3 --help
assert_eq "--help exit" 0 "$T_STATUS"
assert_match "--help text" "^usage: mpirun -np P primes_mpi " "$T_OUT"
assert_eq "--help printed once" 1 "$(grep -c '^usage:' <<<"$T_OUT")"

# An output rank 0 cannot write: exit 1, one line naming the path.
mkdir adir
mpi 2 --limit 100 --output adir
assert_eq "directory output exit" 1 "$T_STATUS"
assert_eq "directory output message" "primes_mpi: cannot write 'adir': Is a directory" \
    "$(grep '^primes_mpi:' <<<"$T_ERR")"

t_done
