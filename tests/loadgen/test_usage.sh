# Bad arguments: one line naming the bad value, exit 2, no traffic and no CSV written.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR" || exit 1

# expect_usage EXPECTED_STDERR ARGS...
expect_usage() {
    local expected=$1
    shift
    run_status "$PARLAB_BIN/loadgen" --csv "$T_DIR/never.csv" "$@"
    assert_eq "$* exit" 2 "$T_STATUS"
    assert_eq "$* message" "loadgen: $expected" "$T_ERR"
    assert_eq "$* stdout" "" "$T_OUT"
}

A=127.0.0.1:9
expect_usage "missing HOST:PORT (see --help)" --clients 1 --duration 1
expect_usage "missing --clients (see --help)" $A --duration 1
expect_usage "missing --duration or --sessions (see --help)" $A --clients 1
expect_usage "--duration and --sessions cannot be combined" $A -c 1 -d 1 -n 5
expect_usage "--clients: '0' is out of range (1 to 1000000)" $A --clients 0 --duration 1
expect_usage "--clients: 'many' is not a whole number from 1 to 1000000" $A --clients many -d 1
expect_usage "--duration: '-1' is out of range (0.001 to 1e+06)" $A -c 1 --duration -1
expect_usage "--duration: '1s' is not a number from 0.001 to 1e+06" $A -c 1 --duration 1s
expect_usage "--sessions: '0' is out of range (1 to 1000000000000)" $A -c 1 --sessions 0
expect_usage "--rate: '0' is out of range (0.001 to 1e+09)" $A -c 1 -d 1 --rate 0
expect_usage "--delay: 'x' is not a number from 0 to 3600" $A -c 1 -d 1 --delay x
expect_usage "--threads: '0' is out of range (1 to 1024)" $A -c 1 -d 1 --threads 0
expect_usage "--timeout: '0' is out of range (0.001 to 1e+06)" $A -c 1 -d 1 --timeout 0
expect_usage "--value: '2.5' is not a whole number" $A -c 1 -d 1 --value 2.5
expect_usage "--value: '9:3' has LO above HI" $A -c 1 -d 1 --value 9:3
expect_usage "--value: '1e10' is out of range (-1e+09 to 1e+09)" $A -c 1 -d 1 --value 1e10
expect_usage "--hold: '0' is out of range (1 to 1000000)" $A --hold 0
expect_usage "--hold cannot be combined with --rate" $A --hold 10 --rate 5
expect_usage "--hold cannot be combined with --clients" $A --hold 10 --clients 5
expect_usage "--hold-for needs --hold" $A -c 1 -d 1 --hold-for 1
expect_usage "option '--clients' needs a value (see --help)" $A --clients
expect_usage "unknown option '--frobnicate' (see --help)" $A --frobnicate
expect_usage "unknown option '-z' (see --help)" $A -z
expect_usage "unexpected argument 'extra' (see --help)" $A extra -c 1 -d 1
expect_usage "HOST:PORT: 'localhost' is not HOST:PORT" localhost -c 1 -d 1
expect_usage "HOST:PORT: '127.0.0.1:0': port '0' is not a number from 1 to 65535" 127.0.0.1:0 -c 1 -d 1
assert_eq "no csv written" no "$([[ -e "$T_DIR/never.csv" ]] && echo yes || echo no)"

run_status "$PARLAB_BIN/loadgen" --help
assert_eq "--help exit" 0 "$T_STATUS"
assert_match "--help usage line" "^usage: loadgen HOST:PORT --clients C \(--duration S \| --sessions N\)" "$T_OUT"
for opt in --clients --duration --sessions --delay --rate --threads --csv --verify --hold \
    --label --timeout --value --warmup --help; do
    assert_match "--help mentions $opt" "
  (-[a-zA-Z], )?$opt " "$T_OUT"
done

t_done
