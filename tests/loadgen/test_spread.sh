# Out of local ports: connects spread their source addresses over 127.0.0.x. Run in a
# private network namespace whose loopback has only 100 ephemeral ports, so nothing else on
# the machine is touched. Needs root (unshare -n) and ip; skipped (77) without them.
if [[ "${1:-}" != inside ]]; then
    if ! command -v ip >/dev/null || ! unshare -n true 2>/dev/null; then
        echo "skipped: needs unshare -n (root) and ip"
        exit 77
    fi
    exec unshare -n bash "$0" inside
fi

source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$PARLAB_TESTS/loadgen/lib_loadgen.sh" || exit 1
LG="$PARLAB_BIN/loadgen"

ip link set lo up || exit 1
echo "40000 40099" >/proc/sys/net/ipv4/ip_local_port_range || exit 1

lg_server spread
# 300 connections at once from 100 ports: only spread sources can hold them all.
run_status "$LG" "127.0.0.1:$PORT" --hold 300 --hold-for 0.2 --value 4 --verify \
    --csv "$T_DIR/s.csv"
assert_eq "hold: exit" 0 "$T_STATUS"
assert_eq "hold: held" 300 "$(lg_field "$T_DIR/s.csv" 1 held)"
assert_eq "hold: answered" 300 "$(lg_field "$T_DIR/s.csv" 1 sessions)"
assert_eq "hold: connect errors" 0 "$(lg_field "$T_DIR/s.csv" 1 errors_connect)"
assert_match "hold: sources line" "sources +local ports ran out; source addresses spread over 127.0.0.2-254" "$T_OUT"
assert_match "hold: verify" "verify +ok: the server's mean 4.0 is the exact mean of the 301 numbers" "$T_OUT"

# The closed loop, 250 clients at once, likewise.
run_status "$LG" "127.0.0.1:$PORT" --clients 250 --sessions 2000 --csv "$T_DIR/c.csv"
assert_eq "closed: exit" 0 "$T_STATUS"
assert_eq "closed: sessions" 2000 "$(lg_field "$T_DIR/c.csv" 1 sessions)"
assert_eq "closed: connect errors" 0 "$(lg_field "$T_DIR/c.csv" 1 errors_connect)"

t_done
