# The mean-server sweeps, sourced by bench/run (which defines once_point, BIN, BENCH, RUN,
# SCRATCH, PASS). Every server is started here on a free loopback port and stopped after
# its points; loadgen drives it and appends one row per point.

SERVER_PID=""
SERVER_PORT=""

# server_start LABEL COMMAND...: starts a server on port 0 and reads the port it got from
# its "Server: listening on 0.0.0.0:PORT" line.
server_start() {
    local label=$1
    shift
    [[ $PASS == count ]] && return
    "$@" >"$SCRATCH/server-$label.log" 2>&1 &
    SERVER_PID=$!
    SERVER_PORT=""
    for _ in $(seq 100); do
        SERVER_PORT=$(sed -n 's/^Server: listening on .*:\([0-9]*\)$/\1/p' "$SCRATCH/server-$label.log")
        [[ -n $SERVER_PORT ]] && return
        kill -0 $SERVER_PID 2>/dev/null || break
        sleep 0.05
    done
    echo "bench: server '$label' did not start:" >&2
    cat "$SCRATCH/server-$label.log" >&2
    exit 1
}

# SIGTERM, not SIGINT: a background job of a script starts with SIGINT ignored, and
# Python keeps it ignored. A server still there after 5 s is killed.
server_stop() {
    # return 0, not return: in the EXIT trap a bare return would return the failed status.
    [[ $PASS == count || -z $SERVER_PID ]] && return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# The server's peak resident memory so far, in KiB.
server_hwm_kib() {
    awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null
}

# load_point SWEEP LABEL ARGS...: one loadgen run against the running server; the progress
# line ends with its throughput and tail latency.
load_point() {
    local sweep=$1 label=$2
    shift 2
    LOAD_CSV=$RUN/$sweep.csv POINT_SUMMARY=load_summary once_point "$sweep $label $*" -- \
        "$BIN/loadgen" "127.0.0.1:$SERVER_PORT" "$@" --label "$label" --csv "$RUN/$sweep.csv" --quiet
}

load_summary() {
    awk -F, 'END {printf "%s sessions/s, p99 %.2f ms, errors %d\n", $10, $14 / 1000,
        $17 + $18 + $19 + $20 + $21 + $22}' "$LOAD_CSV"
}

server_sweeps() {
    local mode=$1 duration=3 clients="1 8 64 512 2048" rates="2000 5000 10000 20000" hold=8000
    local repeats=6 repeat_duration=2
    case $mode in
    quick) duration=1 clients="1 64 512" rates="5000 20000" hold=2000 repeat_duration=1 ;;
    tiny) duration=0.3 clients="1 8" rates="1000" hold=50 repeats=2 repeat_duration=0.3 ;;
    esac
    [[ -x $BIN/server && -x $BIN/loadgen ]] || { echo "bench: server or loadgen not built" >&2; exit 1; }

    # Throughput and latency against concurrent clients, closed loop, no pause: parlab's
    # thread-per-connection server against the Python threaded and the epoll servers.
    local servers=(parlab python-threaded epoll)
    for label in "${servers[@]}"; do
        case $label in
        parlab)
            server_start "$label" "$BIN/server" 0 --quiet --metrics "$RUN/server_metrics.csv" \
                --metrics-interval 1
            ;;
        python-threaded) server_start "$label" python3 "$BENCH/servers/py_threaded_server.py" 0 --quiet ;;
        epoll)
            [[ -x $BIN/server ]] || continue
            server_start "$label" "$BIN/server" 0 --model epoll --threads 1 --quiet
            ;;
        esac
        for c in $clients; do
            load_point server_clients "$label" --clients "$c" --duration $duration
        done
        server_stop
    done

    # Paired repeats at 64 clients, each on a fresh server: parlab's, then the epoll server.
    # The regression gate judges parlab's throughput over these runs, and its ratio to the
    # epoll server's run beside it, which a busier or slower machine moves far less.
    if [[ -x $BIN/server ]]; then
        local i
        for ((i = 1; i <= repeats; i++)); do
            server_start parlab "$BIN/server" 0 --quiet
            load_point server_repeat parlab --clients 64 --duration $repeat_duration
            server_stop
            server_start epoll "$BIN/server" 0 --model epoll --threads 1 --quiet
            load_point server_repeat epoll --clients 64 --duration $repeat_duration
            server_stop
        done
    fi

    # Open loop at fixed arrival rates: latency as the load approaches saturation.
    server_start parlab "$BIN/server" 0 --quiet
    for r in $rates; do
        load_point server_rate parlab --clients 64 --rate "$r" --duration $duration
    done
    server_stop

    # Capacity: $hold connections held open at once, each answered with the exact mean.
    server_start parlab "$BIN/server" 0 --quiet --max-clients $((hold + 1000))
    load_point server_hold parlab --hold $hold --verify
    if [[ $PASS == run ]]; then
        [[ -f $RUN/server_memory.csv ]] || echo "label,held,vm_hwm_kib" >"$RUN/server_memory.csv"
        echo "parlab,$hold,$(server_hwm_kib)" >>"$RUN/server_memory.csv"
    fi
    server_stop
}
