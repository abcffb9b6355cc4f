# Bad arguments: one line naming the bad value, exit 2, no output file touched.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"

echo "keep" >primes_nonoptimized.txt
echo "keep" >primes_optimized.txt

# expect_usage PROGRAM EXPECTED_STDERR ARGS...
expect_usage() {
    local prog=$1 expected=$2
    shift 2
    run_status "$PARLAB_BIN/$prog" "$@"
    assert_eq "$prog $* exit" 2 "$T_STATUS"
    assert_eq "$prog $* message" "$prog: $expected" "$T_ERR"
    assert_eq "$prog $* stdout" "" "$T_OUT"
}

for prog in nonoptimized optimized; do
    expect_usage $prog "--limit: 'abc' is not a whole number from 0 to 4294967295" --limit abc
    expect_usage $prog "--limit: '-5' is not a whole number from 0 to 4294967295" --limit -5
    expect_usage $prog "--limit: '4294967296' is out of range (0 to 4294967295)" --limit 4294967296
    expect_usage $prog "--limit: '99999999999999999999999' is out of range (0 to 4294967295)" \
        --limit 99999999999999999999999
    expect_usage $prog "--limit: '' is not a whole number from 0 to 4294967295" --limit ""
    expect_usage $prog "--limit: '12x' is not a whole number from 0 to 4294967295" --limit 12x
    expect_usage $prog "option '--limit' needs a value (see --help)" --limit
    expect_usage $prog "unknown option '--frobnicate' (see --help)" --frobnicate
    expect_usage $prog "unknown option '-z' (see --help)" -z
    expect_usage $prog "unexpected argument 'extra' (see --help)" extra
    expect_usage $prog "--output: the file name is empty" --output ""
    run_status "$PARLAB_BIN/$prog" --help
    assert_eq "$prog --help exit" 0 "$T_STATUS"
    assert_match "$prog --help text" "^usage: $prog " "$T_OUT"
done

expect_usage optimized "--procs: '0' is out of range (1 to 1024)" --procs 0
expect_usage optimized "--procs: '1025' is out of range (1 to 1024)" --procs 1025
expect_usage optimized "--procs: 'two' is not a whole number from 1 to 1024" --procs two
expect_usage optimized "option '--procs' needs a value (see --help)" --procs
expect_usage optimized "--chunk: '0' is out of range (1 to 4294967296)" --chunk 0
expect_usage optimized "--chunk: '-1' is not a whole number from 1 to 4294967296" --chunk -1
expect_usage optimized "--schedule: 'guided' is not one of dynamic|static|cyclic" --schedule guided
expect_usage optimized "--backend: 'mpi' is not one of fork|threads|openmp" --backend mpi
expect_usage optimized "--backend: '' is not one of fork|threads|openmp" --backend ""
expect_usage optimized "option '--backend' needs a value (see --help)" --backend

assert_eq "nonoptimized output untouched" keep "$(cat primes_nonoptimized.txt)"
assert_eq "optimized output untouched" keep "$(cat primes_optimized.txt)"

t_done
