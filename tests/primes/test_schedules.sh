# Every schedule, process count and chunk size gives the same file.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"
limit=100000
reference_upto "$limit" >ref.txt

for schedule in dynamic static cyclic; do
    for procs in 1 2 3 4 7 64; do
        for chunk in 1 7 1000 250000; do
            what="--schedule $schedule --procs $procs --chunk $chunk"
            run_status "$PARLAB_BIN/optimized" --limit $limit $what --output out.txt
            assert_eq "$what exit" 0 "$T_STATUS"
            assert_same_file "$what" ref.txt out.txt
            rm -f out.txt
        done
    done
done

# More workers than numbers: the idle ones must not disturb the result.
run_status "$PARLAB_BIN/optimized" --limit 10 --procs 64 --schedule static --output small.txt
assert_same_file "procs > limit" <(reference_upto 10) small.txt

t_done
