# The server's --metrics: counters read through PAPI SDE, the count of values and the mean,
# rows every interval and one at shutdown, all equal to what the test itself sent; the
# process's resource usage, growing from row to row, and the threads its model started.
# usage: test_server_metrics.sh [MODEL]   (the server's --model; default its own, thread)
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$(dirname "$PARLAB_TESTS")/bench/csv.sh" || exit 1
cd "$T_DIR"
model=(${1:+--model "$1"})
# The pool's workers and the loops are a fixed number, given here so the test knows it.
workers=3
[[ -n ${1:-} && $1 != thread ]] && model+=(--threads "$workers")

"$PARLAB_BIN/server" 0 "${model[@]}" --quiet --metrics m.csv --metrics-interval 0.2 --events none >log 2>&1 &
pid=$!
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/^Server: listening on .*:\([0-9]*\)$/\1/p' log)
    [[ -n $port ]] && break
    sleep 0.05
done
# The io_uring model may be compiled out, or refused by the kernel: it says so, exit 1.
if [[ -z $port ]] && grep -q '^server: uring: ' log; then
    echo "skipped: $(cat log)"
    exit 77
fi
assert_match "server started" '^[0-9]+$' "$port"

# 40 sessions of the value 7, then one bad message, then a pause for interval rows.
run_status "$PARLAB_BIN/loadgen" "127.0.0.1:$port" --clients 4 --sessions 40 --value 7 --quiet
assert_eq "loadgen exit" 0 "$T_STATUS"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'abc' >&3
reply=$(timeout 5 cat <&3)
exec 3<&-
assert_eq "bad message reply" "error: not a number: 'abc'" "$reply"
sleep 0.5
kill -TERM $pid
wait $pid
assert_eq "server exit" 0 $?

header="program,row,time_s,wall_ns,cpu_ns,connections_accepted,connections_active,bytes_received,data_messages,ready_messages,bad_messages,busy_rejections,idle_timeouts,lock_wait_ns,conversation_timeouts,evictions,log_lines_dropped,threads_created,cpu_user_us,cpu_sys_us,ctx_voluntary,ctx_involuntary,maxrss_kib,values,mean"
assert_eq "header" "$header" "$(head -1 m.csv)"
intervals=$(csv_columns m.csv program row | grep -c '^server,interval$')
if ((intervals >= 2)); then t_pass; else t_fail "expected >= 2 interval rows, got $intervals"; fi
assert_eq "one final row, last" "server,final" "$(csv_columns m.csv program row | tail -1)"
# col NAME: the cell of column NAME in the last (final) row.
col() { csv_columns m.csv "$1" | tail -1; }
assert_eq "connections_accepted" 41 "$(col connections_accepted)"
assert_eq "connections_active at the end" 0 "$(col connections_active)"
assert_eq "data_messages" 40 "$(col data_messages)"
assert_eq "ready_messages" 40 "$(col ready_messages)"
assert_eq "bad_messages" 1 "$(col bad_messages)"
assert_eq "busy_rejections" 0 "$(col busy_rejections)"
assert_eq "idle_timeouts" 0 "$(col idle_timeouts)"
assert_eq "conversation_timeouts" 0 "$(col conversation_timeouts)"
assert_eq "evictions" 0 "$(col evictions)"
assert_eq "log_lines_dropped" 0 "$(col log_lines_dropped)"
assert_eq "values" 40 "$(col values)"
assert_eq "mean" "7.0" "$(col mean)"
# Each session sends "7" and "ready" at least; the bad one sent 3 bytes.
bytes=$(col bytes_received)
if ((bytes >= 40 * 6 + 3 && bytes <= 40 * 8 + 3)); then t_pass; else t_fail "bytes_received $bytes not in [243, 323]"; fi
# Counters only grow from row to row (the line in the file printed where one does not).
assert_eq "counters never decrease" "" \
    "$(csv_columns m.csv connections_accepted | awk 'NR > 1 && $1 < prev {print NR + 1} {prev = $1}')"

# The process's cost (getrusage): CPU spent, and every usage counter only grows.
cpu=$(csv_columns m.csv cpu_user_us cpu_sys_us | tail -1 | awk -F, '{print $1 + $2}')
if ((cpu > 0)); then t_pass; else t_fail "cpu_user_us + cpu_sys_us is $cpu at the end"; fi
assert_eq "cpu_user_us + cpu_sys_us never decrease" "" \
    "$(csv_columns m.csv cpu_user_us cpu_sys_us |
        awk -F, 'NR > 1 && $1 + $2 < prev {print NR + 1} {prev = $1 + $2}')"
for c in ctx_voluntary ctx_involuntary maxrss_kib threads_created; do
    assert_eq "$c never decreases" "" \
        "$(csv_columns m.csv "$c" | awk 'NR > 1 && $1 < prev {print NR + 1} {prev = $1}')"
done
ctx=$(csv_columns m.csv ctx_voluntary | tail -1)
if ((ctx > 0)); then t_pass; else t_fail "ctx_voluntary is $ctx after 41 connections"; fi
rss=$(col maxrss_kib)
if ((rss > 0)); then t_pass; else t_fail "maxrss_kib is $rss"; fi
# A thread per connection (41: the 40 sessions and the bad one), or the fixed workers.
threads=$(col threads_created)
if [[ -z ${1:-} || $1 == thread ]]; then
    assert_eq "threads_created: one per connection" 41 "$threads"
else
    assert_eq "threads_created: the ${1:-} model's workers" "$workers" "$threads"
fi

# A metrics file that cannot be written: the server serves on, and at the end says why
# in one line and exits 1.
"$PARLAB_BIN/server" 0 "${model[@]}" --quiet --metrics /dev/full --events none >full.out 2>full.err &
pid=$!
for _ in $(seq 100); do
    grep -q '^Server: listening on ' full.out && break
    sleep 0.05
done
assert_match "unwritable --metrics: server started" '^Server: listening on ' "$(head -1 full.out)"
kill -TERM $pid
wait $pid
assert_eq "unwritable --metrics exit" 1 $?
assert_eq "unwritable --metrics message" \
    "server: cannot write '/dev/full': No space left on device; no more metrics rows" "$(cat full.err)"

# Usage errors.
run_status "$PARLAB_BIN/server" 0 --metrics-interval 1
assert_eq "--metrics-interval alone exit" 2 "$T_STATUS"
assert_eq "--metrics-interval alone message" "server: --metrics-interval needs --metrics FILE" "$T_ERR"
run_status "$PARLAB_BIN/server" 0 --metrics m2.csv --metrics-interval 0
assert_eq "--metrics-interval 0 exit" 2 "$T_STATUS"
run_status "$PARLAB_BIN/server" 0 --metrics ""
assert_eq "empty --metrics exit" 2 "$T_STATUS"
if grep -qa papi_sde_init "$PARLAB_BIN/server"; then  # a PAPI build checks event names
    run_status "$PARLAB_BIN/server" 0 --metrics m2.csv --events NO_SUCH_EVENT
    assert_eq "unknown event exit" 2 "$T_STATUS"
    assert_match "unknown event message" "unknown event 'NO_SUCH_EVENT'" "$T_ERR"
fi
assert_eq "nothing written on usage errors" "" "$(ls m2.csv 2>/dev/null)"

t_done
