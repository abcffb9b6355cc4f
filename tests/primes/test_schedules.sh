# Every backend, schedule, worker count and chunk size gives the same file.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"
source "$PARLAB_TESTS/primes/backends.sh" || exit 1
limit=100000
reference_upto "$limit" >ref.txt

# The chunks include one number, the default, and more than the whole range.
for backend in $backends; do
    for schedule in dynamic static cyclic; do
        for procs in 1 2 3 4 7 64; do
            for chunk in 1 7 1000 250000; do
                what="--backend $backend --schedule $schedule --procs $procs --chunk $chunk"
                run_status "$PARLAB_BIN/optimized" --limit $limit $what --output out.txt
                assert_eq "$what exit" 0 "$T_STATUS"
                assert_same_file "$what" ref.txt out.txt
                rm -f out.txt
            done
        done
    done
    # More workers than numbers: the idle ones must not disturb the result.
    run_status "$PARLAB_BIN/optimized" --limit 10 --procs 64 --schedule static \
        --backend $backend --output small.txt
    assert_same_file "$backend: procs > limit" <(reference_upto 10) small.txt
    rm -f small.txt
done

# The default backend is fork, the lab's program.
run_status "$PARLAB_BIN/optimized" --limit 1000 --procs 2 --metrics m.csv --events none
assert_eq "default backend" "optimized" "$(sed -n 2p m.csv | cut -d, -f1)"

t_done
