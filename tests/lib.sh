# Shared helpers for parlab's shell tests: loud assertions that print both values,
# a private scratch folder per test, and a closing "N passed, N failed" line.
set -uo pipefail

: "${PARLAB_BIN:?PARLAB_BIN must name the bin folder of a build}"
: "${PARLAB_TESTS:?PARLAB_TESTS must name the tests folder}"
PYTHON3=${PYTHON3:-python3}

T_PASSED=0
T_FAILED=0
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/parlab-test.XXXXXX")
trap 'rm -rf "$T_DIR"' EXIT

t_fail() {
    echo "FAIL: $*" >&2
    T_FAILED=$((T_FAILED + 1))
}

t_pass() {
    T_PASSED=$((T_PASSED + 1))
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
    if [[ "$2" == "$3" ]]; then
        t_pass
    else
        t_fail "$1: expected '$2', got '$3'"
    fi
}

# assert_match WHAT REGEX ACTUAL
assert_match() {
    if [[ "$3" =~ $2 ]]; then
        t_pass
    else
        t_fail "$1: expected to match /$2/, got '$3'"
    fi
}

# assert_same_file WHAT EXPECTED_FILE ACTUAL_FILE
assert_same_file() {
    if [[ ! -f "$3" ]]; then
        t_fail "$1: $3 was not written"
    elif cmp -s "$2" "$3"; then
        t_pass
    else
        t_fail "$1: $3 differs from $2 ($(cmp "$2" "$3" 2>&1 | head -1))"
    fi
}

# run_status CMD... : runs CMD with stdout/stderr captured in $T_OUT/$T_ERR, sets $T_STATUS.
run_status() {
    "$@" >"$T_DIR/.stdout" 2>"$T_DIR/.stderr"
    T_STATUS=$?
    T_OUT=$(cat "$T_DIR/.stdout")
    T_ERR=$(cat "$T_DIR/.stderr")
}

# The reference primes <= limit, cut from the committed sieve output.
reference_upto() {
    awk -v n="$1" '$1 <= n' "$PARLAB_TESTS/primes.txt" | head -c -1
    # head -c -1 drops awk's final newline: the format has none.
}

t_done() {
    echo "$T_PASSED passed, $T_FAILED failed"
    [[ $T_FAILED -eq 0 ]]
}

# bg NAME COMMAND...: COMMAND in the background, its stdout, stderr and status kept in
# .bg/NAME.{out,err,rc} (under the current folder); bg_wait NAME waits for it and sets
# T_STATUS, T_OUT and T_ERR as run_status does. For checks that do not depend on one another:
# they overlap, and are judged afterwards.
declare -A BG=()
bg() {
    local name=$1
    shift
    mkdir -p .bg
    ("$@" >".bg/$name.out" 2>".bg/$name.err"; echo $? >".bg/$name.rc") &
    BG[$name]=$!
}
bg_wait() {
    wait "${BG[$1]}"
    T_STATUS=$(cat ".bg/$1.rc")
    T_OUT=$(cat ".bg/$1.out")
    T_ERR=$(cat ".bg/$1.err")
}
