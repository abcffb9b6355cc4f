# 10^7: the count, the last prime and the sum of all primes, as published.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"

run_status "$PARLAB_BIN/optimized" --limit 10000000 --procs 2 --output big.txt
assert_eq "optimized --limit 10^7 exit" 0 "$T_STATUS"
read -r count last sum < <(awk '{n++; s += $1; l = $1} END {printf "%d %d %.0f\n", n, l, s}' big.txt)
assert_eq "count of primes <= 10^7" 664579 "$count"
assert_eq "last prime <= 10^7" 9999991 "$last"
assert_eq "sum of primes <= 10^7" 3203324994356 "$sum"
assert_eq "no trailing newline" 1 "$(tail -c 1 big.txt)"

t_done
