# --verify: loadgen's exact mean against the real server, and an independent look at what
# the server holds afterwards (the lab's client, and Python's arithmetic).
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$PARLAB_TESTS/loadgen/lib_loadgen.sh" || exit 1
LG="$PARLAB_BIN/loadgen"

# Closed loop, one value: 1000 sessions of 10 plus the checking session's 10.
lg_server constant
run_status "$LG" "127.0.0.1:$PORT" --clients 16 --sessions 1000 --value 10 --verify \
    --csv "$T_DIR/v.csv"
assert_eq "constant: exit" 0 "$T_STATUS"
assert_match "constant: verify line" \
    "verify +ok: the server's mean 10.0 is the exact mean of the 1001 numbers sent" "$T_OUT"
assert_eq "constant: sessions" 1000 "$(lg_field "$T_DIR/v.csv" 1 sessions)"
assert_eq "constant: error replies" 0 "$(lg_field "$T_DIR/v.csv" 1 errors_reply)"
# The server must now hold exactly 1001 tens: one more number tells, computed by Python.
expected=$("$PYTHON3" -c 'print((10 * 1001 + 3011) / 1002)')
run_status "$PARLAB_BIN/client" "127.0.0.1:$PORT" 3011 --delay 0
assert_match "constant: the server's total, seen by the client" \
    "Client 0: mean_data $expected\$" "$T_OUT"

# The same server is no longer fresh: --verify must notice and fail.
run_status "$LG" "127.0.0.1:$PORT" --clients 4 --sessions 50 --value 1 --verify
assert_eq "stale server: exit" 1 "$T_STATUS"
assert_match "stale server: message" \
    "^loadgen: --verify: the server's mean is '[0-9.]+', but the exact mean of the 51 numbers sent is 1.0 \(was the server fresh\?\)$" \
    "$T_ERR"

# A pattern of values, negative ones included, on several threads.
lg_server pattern
run_status "$LG" "127.0.0.1:$PORT" --clients 32 --threads 2 --sessions 3000 --value -5:7 --verify
assert_eq "pattern: exit" 0 "$T_STATUS"
assert_match "pattern: verify line" "verify +ok: .* of the 3001 numbers sent" "$T_OUT"

# Open loop with a pause and a warm-up: every session counts towards the exact mean.
lg_server open
run_status "$LG" "127.0.0.1:$PORT" --clients 8 --rate 1000 --sessions 200 --delay 0.01 \
    --warmup 0.1 --verify --csv "$T_DIR/o.csv"
assert_eq "open: exit" 0 "$T_STATUS"
assert_match "open: verify line" "verify +ok: " "$T_OUT"
assert_eq "open: measured sessions" 200 "$(lg_field "$T_DIR/o.csv" 1 sessions)"

# Coalesced writes ("7ready") are the same protocol to the server.
lg_server coalesce
run_status "$LG" "127.0.0.1:$PORT" --clients 8 --sessions 500 --coalesce --value 7 --verify
assert_eq "coalesce: exit" 0 "$T_STATUS"
assert_match "coalesce: verify line" "the server's mean 7.0 is the exact mean of the 501 numbers" \
    "$T_OUT"

# Hold: a server answers each `ready` with the mean of the numbers it has read by then, so
# with different numbers a reply may come before the server read them all; the check after
# the load is exact whatever the order.
lg_server hold
run_status "$LG" "127.0.0.1:$PORT" --hold 200 --value 1:200 --verify
assert_eq "hold: exit" 0 "$T_STATUS"
assert_match "hold: answered" "answered +200 with a mean in [0-9.]+ s; [0-9]+ of them 100.5, " "$T_OUT"
assert_match "hold: verify line" \
    "verify +ok: the server's mean 100.0049751243781 is the exact mean of the 201 numbers" "$T_OUT"
# With one number for all, every mean is that number whatever the server had read.
lg_server hold_same
run_status "$LG" "127.0.0.1:$PORT" --hold 200 --value 5 --verify
assert_eq "hold same: exit" 0 "$T_STATUS"
assert_match "hold same: answered" "answered +200 with a mean in [0-9.]+ s; 200 of them 5.0, " "$T_OUT"

t_done
