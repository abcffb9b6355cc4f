# Both programs' files against the sieve reference, byte for byte.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"

assert_eq "reference sha256" 76cbe9a3a64de2297cb46f8e49c71336ebfcf41bdb64c067b99569ac82feb5c9 \
    "$(sha256sum <"$PARLAB_TESTS/primes.txt" | cut -d' ' -f1)"

for limit in 0 1 2 3 4 100 100000 1000000; do
    reference_upto "$limit" >"ref.txt"
    run_status "$PARLAB_BIN/nonoptimized" --limit "$limit"
    assert_eq "nonoptimized --limit $limit exit" 0 "$T_STATUS"
    assert_same_file "nonoptimized --limit $limit" ref.txt primes_nonoptimized.txt
    run_status "$PARLAB_BIN/optimized" --limit "$limit" --procs 2
    assert_eq "optimized --limit $limit exit" 0 "$T_STATUS"
    assert_same_file "optimized --limit $limit" ref.txt primes_optimized.txt
done

# The default limit and file names are the lab's.
rm -f primes_*.txt
"$PARLAB_BIN/nonoptimized" && "$PARLAB_BIN/optimized"
assert_same_file "nonoptimized default" "$PARLAB_TESTS/primes.txt" primes_nonoptimized.txt
assert_same_file "optimized default" "$PARLAB_TESTS/primes.txt" primes_optimized.txt
assert_eq "no trailing newline" "3" "$(tail -c 1 primes_optimized.txt)"
assert_eq "line count (78,498 primes, newlines between)" 78497 "$(wc -l <primes_optimized.txt)"

# --output goes where it is told, and a new file gets the usual permissions.
mkdir -p sub
(umask 022 && "$PARLAB_BIN/optimized" --limit 100 --output sub/p.txt)
assert_same_file "--output" <(reference_upto 100) sub/p.txt
assert_eq "file mode" 644 "$(stat -c %a sub/p.txt)"
assert_eq "no temporary left behind" "p.txt" "$(ls sub)"

t_done
