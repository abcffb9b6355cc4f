# The mean-server sweeps, sourced by bench/run (which defines once_point, BIN, BENCH, RUN,
# SCRATCH, PASS, PY and SERVER_SEED). Every server is started here on a free loopback port
# and stopped after its point; loadgen drives it and writes one row per point.
#
# Servers compared with one another run interleaved, in blocks: a block runs each server
# once, in an order shuffled afresh for the block, each against a server started for it.
# Load from elsewhere that lasts a few seconds then falls on every server alike instead of on
# whichever happened to be running. The orders come from SERVER_SEED (meta.json's
# server_order_seed), so a run's orders can be replayed.

# csv.sh lies beside this file, whoever sources it (bench/run, or a test replaying orders).
source "$(dirname "${BASH_SOURCE[0]}")/csv.sh"

SERVER_PID=""
SERVER_PORT=""

# -- the shuffled orders --------------------------------------------------------------------
# xorshift32 in bash arithmetic: the same seed gives the same orders with any bash (bash's
# own $RANDOM changed its sequence in 5.1) and on any machine.
ORDER_STATE=1
ORDER=()

order_next() {
    local x=$ORDER_STATE
    x=$(((x ^ (x << 13)) & 0xFFFFFFFF))
    x=$((x ^ (x >> 17)))
    x=$(((x ^ (x << 5)) & 0xFFFFFFFF))
    ORDER_STATE=$x
}

# order_seed SEED: restarts the generator. Zero is xorshift's fixed point, so it becomes 1;
# the first few draws of a small seed are small, so they are dropped. SEED is checked
# first: bash arithmetic would run anything else as code.
order_seed() {
    [[ $1 =~ ^[0-9]{1,18}$ ]] || { echo "bench: order seed '$1' is not a whole number" >&2; exit 1; }
    ORDER_STATE=$((10#$1 & 0xFFFFFFFF))
    ((ORDER_STATE)) || ORDER_STATE=1
    local _
    for _ in 1 2 3 4 5 6 7 8; do order_next; done
}

# order_shuffle WORD...: ORDER becomes the words in a random order (Fisher-Yates; over 2^32
# draws, the modulo's bias is negligible for a handful of servers).
order_shuffle() {
    ORDER=("$@")
    local i j t
    for ((i = ${#ORDER[@]} - 1; i > 0; i--)); do
        order_next
        j=$((ORDER_STATE % (i + 1)))
        t=${ORDER[i]}
        ORDER[i]=${ORDER[j]}
        ORDER[j]=$t
    done
}

# -- starting and stopping --------------------------------------------------------------------

# server_start LABEL COMMAND...: starts a server on port 0 and reads the port it got from
# its "Server: listening on 0.0.0.0:PORT" line. With a server per point, what the wait costs
# adds up over a sweep: the log is polled finely and read by bash itself, no process
# started but the sleep.
server_start() {
    local label=$1
    shift
    [[ $PASS == count ]] && return
    local log="$SCRATCH/server-$label.log" line i
    # Emptied here, not only by the server's own redirection, which runs in the background:
    # the previous server of this label left its port in the file, and reading that stale
    # port before the new server truncates it sends the point to a closed port.
    : >"$log"
    "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    SERVER_PORT=""
    for ((i = 0; i < 250; i++)); do
        while IFS= read -r line; do
            if [[ $line =~ ^Server:\ listening\ on\ .*:([0-9]+)$ ]]; then
                SERVER_PORT=${BASH_REMATCH[1]}
                return
            fi
        done <"$log"
        kill -0 $SERVER_PID 2>/dev/null || break
        sleep 0.02
    done
    echo "bench: server '$label' did not start:" >&2
    cat "$log" >&2
    exit 1
}

# server_start_named LABEL ARGS...: starts the server the sweeps call LABEL, with --quiet
# and ARGS. The Python server runs on the interpreter bench/run resolved: a version
# manager's shim would cost seconds at every start.
server_start_named() {
    local label=$1
    shift
    case $label in
    parlab) server_start "$label" "$BIN/server" 0 --quiet "$@" ;;
    python-threaded) server_start "$label" "$PY" "$BENCH/servers/py_threaded_server.py" 0 --quiet "$@" ;;
    epoll) server_start "$label" "$BIN/server" 0 --model epoll --threads 1 --quiet "$@" ;;
    *) echo "bench: no server called '$label'" >&2; exit 1 ;;
    esac
}

# SIGTERM, not SIGINT: a background job of a script starts with SIGINT ignored, and
# Python keeps it ignored. A server still there after 5 s is killed.
server_stop() {
    # return 0, not return: in the EXIT trap a bare return would return the failed status.
    [[ $PASS == count || -z $SERVER_PID ]] && return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 250; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.02
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# The server's peak resident memory so far, in KiB.
server_hwm_kib() {
    awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null
}

# -- points and rows ----------------------------------------------------------------------------

# load_point CSV SWEEP LABEL ARGS...: one loadgen run against the running server, its row
# appended to CSV; the progress line ends with its throughput and tail latency.
load_point() {
    local csv=$1 sweep=$2 label=$3
    shift 3
    LOAD_CSV=$csv POINT_SUMMARY=load_summary once_point "$sweep $label $*" -- \
        "$BIN/loadgen" "127.0.0.1:$SERVER_PORT" "$@" --label "$label" --csv "$csv" --quiet
}

# The last row of $LOAD_CSV, by column name; one process (csv_columns' awk) per point.
load_summary() {
    local rows rate p99 e1 e2 e3 e4 e5 e6
    rows=$(csv_columns "$LOAD_CSV" sessions_per_s latency_p99_us errors_connect errors_write \
        errors_read errors_timeout errors_reply errors_unparsable) || exit 1
    IFS=, read -r rate p99 e1 e2 e3 e4 e5 e6 <<<"${rows##*$'\n'}"
    # Microseconds to hundredths of a millisecond in integers: printf would read "1234.5"
    # by the locale's decimal point. p99 is empty when no session ended with a mean.
    # The cells reach bash arithmetic, which would evaluate anything but digits as code.
    [[ $p99$e1$e2$e3$e4$e5$e6 =~ ^[0-9.]*$ ]] ||
        { echo "bench: $LOAD_CSV: a latency or error count that is not a number" >&2; exit 1; }
    p99=${p99:-0}
    p99=$(((${p99%.*} + 5) / 10))
    printf '%s sessions/s, p99 %d.%02d ms, errors %d\n' "$rate" $((p99 / 100)) $((p99 % 100)) \
        $((e1 + e2 + e3 + e4 + e5 + e6))
}

# block_point SWEEP BLOCK ORDER LABEL ARGS...: the point of server LABEL in a block, against a
# server started for it; its row waits in a scratch CSV of its own (loadgen writes the
# header into a new file) for block_rows.
block_point() {
    local sweep=$1 block=$2 order=$3 label=$4
    shift 4
    local extra=()
    # parlab's counters of the client sweep: one server per point, so each server's rows
    # in server_metrics.csv end with its `final` row, the counters of that one point.
    [[ $sweep == server_clients && $label == parlab ]] &&
        extra=(--metrics "$RUN/server_metrics.csv" --metrics-interval 1)
    server_start_named "$label" "${extra[@]}"
    load_point "$SCRATCH/$sweep-$block-$label.csv" "$sweep" "$label" "$@"
    server_stop
    BLOCK_ORDER[$label]=$order
}

# block_rows SWEEP BLOCK LABEL...: the block's rows appended to $RUN/SWEEP.csv in the order of
# the labels given, the servers' fixed order, whatever the order they ran in: readers list
# servers in the order they first appear. Each row gets two cells more, `block` and
# `order_in_block` (where the server ran in its block, 1 first).
block_rows() {
    local sweep=$1 block=$2
    shift 2
    [[ $PASS == count ]] && return
    local dest="$RUN/$sweep.csv" label src header want lines
    for label in "$@"; do
        src="$SCRATCH/$sweep-$block-$label.csv"
        mapfile -t lines <"$src"
        # loadgen writes a new file's header and one row, or nothing and exits 1.
        ((${#lines[@]} == 2)) ||
            { echo "bench: $src: ${#lines[@]} lines, expected a header and one row" >&2; exit 1; }
        want="${lines[0]},block,order_in_block"
        if [[ -f $dest ]]; then
            IFS= read -r header <"$dest"
            [[ $header == "$want" ]] ||
                { echo "bench: $dest: its header is not loadgen's plus block,order_in_block" >&2; exit 1; }
        else
            echo "$want" >"$dest"
        fi
        echo "${lines[1]},$block,${BLOCK_ORDER[$label]}" >>"$dest"
    done
}

# -- the sweeps -------------------------------------------------------------------------------

server_sweeps() {
    local mode=$1 duration=3 clients="1 8 64 512 2048" rates="2000 5000 10000 20000" hold=8000
    local repeats=6 repeat_duration=2 hold_for=()
    case $mode in
    quick) duration=1 clients="1 64 512" rates="5000 20000" hold=2000 repeat_duration=1 ;;
    # The shape of the sweeps, not numbers: the points as short as still gives rows.
    tiny) duration=0.1 clients="1 8" rates="1000" hold=50 hold_for=(--hold-for 0.2) repeats=2 repeat_duration=0.1 ;;
    esac
    [[ -x $BIN/server && -x $BIN/loadgen ]] || { echo "bench: server or loadgen not built" >&2; exit 1; }
    # Both passes draw the same orders: the count pass must not move the generator on.
    order_seed "${SERVER_SEED-}"
    declare -gA BLOCK_ORDER=()
    local label k block

    # Throughput and latency against concurrent clients, closed loop, no pause: parlab's
    # thread-per-connection server against the Python threaded and the epoll servers, one
    # block per client count.
    local servers=(parlab python-threaded epoll)
    block=0
    for c in $clients; do
        block=$((block + 1))
        order_shuffle "${servers[@]}"
        for k in "${!ORDER[@]}"; do
            block_point server_clients $block $((k + 1)) "${ORDER[k]}" --clients "$c" --duration $duration
        done
        block_rows server_clients $block "${servers[@]}"
    done

    # Paired repeats at 64 clients: each block a fresh parlab server and a fresh epoll server,
    # in a shuffled order. The regression gate judges parlab's throughput over these runs, and
    # its ratio to the epoll server's run of the same block, which a busier or slower machine
    # moves far less. Rows alternate parlab, epoll: the i-th of each are block i.
    for ((block = 1; block <= repeats; block++)); do
        order_shuffle parlab epoll
        for k in "${!ORDER[@]}"; do
            block_point server_repeat $block $((k + 1)) "${ORDER[k]}" --clients 64 --duration $repeat_duration
        done
        block_rows server_repeat $block parlab epoll
    done

    # Open loop at fixed arrival rates: latency as the load approaches saturation.
    server_start_named parlab
    for r in $rates; do
        load_point "$RUN/server_rate.csv" server_rate parlab --clients 64 --rate "$r" --duration $duration
    done
    server_stop

    # Capacity: $hold connections held open at once, each answered with the exact mean.
    server_start_named parlab --max-clients $((hold + 1000))
    load_point "$RUN/server_hold.csv" server_hold parlab --hold $hold "${hold_for[@]}" --verify
    if [[ $PASS == run ]]; then
        [[ -f $RUN/server_memory.csv ]] || echo "label,held,vm_hwm_kib" >"$RUN/server_memory.csv"
        echo "parlab,$hold,$(server_hwm_kib)" >>"$RUN/server_memory.csv"
    fi
    server_stop
}
