# The mean-server sweeps, sourced by bench/run (which defines once_point, BIN, BENCH, RUN,
# SCRATCH, PASS, PY, SERVER_SEED, and SERVER_CPUS and LOADGEN_CPUS: the CPUs the servers and
# loadgen are pinned to, or "all"). Every server is started here on a free loopback port and
# stopped after its point; loadgen drives it and writes one row per point.
#
# The servers, by the labels the results carry: parlab's server in each concurrency model,
# `thread` (the default), `pool`, `epoll-1` (one epoll loop), `epoll` (a loop per CPU) and
# `uring` (where this build and kernel run it); the lab's design in Python,
# `python-threaded`; and the floors of the two designs, `floor-thread` and `floor-epoll`
# (bench/servers/floor_*.c), the least a server of each can do for the protocol.
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
SERVER_BASE_KIB=""
# The words that pin servers and loadgen to their CPUs (server_pin_words); none by default.
SERVER_PIN=() LOADGEN_PIN=() SERVER_THREADS=()

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

# The parlab models in their fixed order, the order rows are written in; uring joins when
# the server runs it here (server_probe_uring).
PARLAB_MODELS=(thread pool epoll-1 epoll)
# The thread model's connection stack when --stack-size is not given (server --help).
THREAD_STACK_KIB=20

# server_pin_words: SERVER_PIN and LOADGEN_PIN become the words that start a server and
# loadgen on their CPUs (taskset -c LIST), or nothing when unpinned.
server_pin_words() {
    SERVER_PIN=() LOADGEN_PIN=() SERVER_THREADS=()
    if [[ ${SERVER_CPUS:-all} != all ]]; then
        SERVER_PIN=(taskset -c "$SERVER_CPUS")
        LOADGEN_PIN=(taskset -c "$LOADGEN_CPUS")
        # The server counts the machine's online CPUs, not the ones it may run on: a loop or
        # worker per CPU it has is said explicitly.
        local cpus
        IFS=, read -ra cpus <<<"$SERVER_CPUS"
        SERVER_THREADS=(--threads "${#cpus[@]}")
    fi
}

# server_start LABEL COMMAND...: starts a server on port 0 and reads the port it got from
# its "Server: listening on 0.0.0.0:PORT" line. With a server per point, what the wait costs
# adds up over a sweep: the log is polled finely and read by bash itself, no process
# started but the sleep. SERVER_BASE_KIB is its resident memory then, before any load.
server_start() {
    local label=$1
    shift
    [[ $PASS == count ]] && return
    local log="$SCRATCH/server-$label.log" line i
    # Emptied here, not only by the server's own redirection, which runs in the background:
    # the previous server of this label left its port in the file, and reading that stale
    # port before the new server truncates it sends the point to a closed port.
    : >"$log"
    "${SERVER_PIN[@]}" "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    SERVER_PORT=""
    for ((i = 0; i < 250; i++)); do
        while IFS= read -r line; do
            if [[ $line =~ ^Server:\ listening\ on\ .*:([0-9]+)$ ]]; then
                SERVER_PORT=${BASH_REMATCH[1]}
                SERVER_BASE_KIB=$(server_status_kib VmRSS)
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

# server_start_named LABEL ARGS...: starts the server the sweeps call LABEL; ARGS go to
# parlab's server only (the Python server and the floors take none). parlab's runs --quiet,
# as does the Python server, on the interpreter bench/run resolved: a version manager's
# shim would cost seconds at every start.
server_start_named() {
    local label=$1
    shift
    local server=("$BIN/server" 0 --quiet)
    case $label in
    thread) server_start "$label" "${server[@]}" "$@" ;;
    pool | epoll | uring) server_start "$label" "${server[@]}" --model "$label" "${SERVER_THREADS[@]}" "$@" ;;
    epoll-1) server_start "$label" "${server[@]}" --model epoll --threads 1 "$@" ;;
    python-threaded) server_start "$label" "$PY" "$BENCH/servers/py_threaded_server.py" 0 --quiet ;;
    floor-thread) server_start "$label" "$BIN/floor_thread" 0 ;;
    floor-epoll) server_start "$label" "$BIN/floor_epoll" 0 ;;
    *) echo "bench: no server called '$label'" >&2; exit 1 ;;
    esac
}

# Whether LABEL is one of parlab's models (it takes --metrics and the server's options).
server_is_parlab() {
    [[ " ${PARLAB_MODELS[*]} uring " == *" $1 "* ]]
}

# server_probe_uring: once per sweep, whether the server runs --model uring here (built with
# liburing, a kernel that allows io_uring); if so uring joins PARLAB_MODELS, otherwise one
# line says why it is left out, in the server's words. Run in the count pass, so both passes
# plan the same points.
server_probe_uring() {
    [[ $PASS == count ]] || return 0
    local log="$SCRATCH/uring-probe.log" pid i why
    "$BIN/server" 0 --quiet --model uring --threads 1 >"$log" 2>&1 &
    pid=$!
    for ((i = 0; i < 250; i++)); do
        if grep -q '^Server: listening on ' "$log"; then
            kill -TERM $pid 2>/dev/null
            wait $pid 2>/dev/null
            PARLAB_MODELS+=(uring)
            return 0
        fi
        kill -0 $pid 2>/dev/null || break
        sleep 0.02
    done
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    why=$(grep -v '^Server: ' "$log" | head -1)
    why=${why#server: }
    echo "bench: uring skipped: ${why#uring: }" >&2
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

# server_status_kib FIELD: a field of the running server's /proc/PID/status in KiB (VmRSS,
# VmHWM: its resident memory now, and its peak so far).
server_status_kib() {
    awk -v field="$1:" '$1 == field {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null
}

# server_proc_cpu: the running server's CPU time in user and kernel mode since it started,
# "USER_US,SYS_US", from /proc/PID/stat (utime and stime, in clock ticks).
server_proc_cpu() {
    local stat fields
    IFS= read -r stat <"/proc/$SERVER_PID/stat" ||
        { echo "bench: cannot read /proc/$SERVER_PID/stat" >&2; exit 1; }
    # The command name in parentheses may hold spaces: the fields after its closing one.
    read -ra fields <<<"${stat##*) }"
    # fields[0] is the state (field 3 of proc(5)): utime is field 14, stime 15.
    [[ ${fields[11]}${fields[12]} =~ ^[0-9]+$ ]] ||
        { echo "bench: /proc/$SERVER_PID/stat: no utime and stime" >&2; exit 1; }
    echo "$((fields[11] * 1000000 / CLK_TCK)),$((fields[12] * 1000000 / CLK_TCK))"
}

# -- points and rows ----------------------------------------------------------------------------

# load_point CSV SWEEP LABEL ARGS...: one loadgen run against the running server, its row
# appended to CSV; the progress line ends with its throughput and tail latency.
load_point() {
    local csv=$1 sweep=$2 label=$3
    shift 3
    LOAD_CSV=$csv POINT_SUMMARY=load_summary once_point "$sweep $label $*" -- \
        "${LOADGEN_PIN[@]}" "$BIN/loadgen" "127.0.0.1:$SERVER_PORT" "$@" --label "$label" \
        --csv "$csv" --quiet
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

# What a point of these sweeps cost its server goes into server_cost.csv.
COST_SWEEPS=" server_clients server_repeat server_stack "
COST_HEADER="sweep,label,clients,stack_kib,block,sessions,wall_s,cpu_user_us,cpu_sys_us,ctx_voluntary,ctx_involuntary,threads_created,maxrss_kib,source"

# block_point SWEEP BLOCK ORDER KEY ARGS...: the point of server KEY in a block (a label, or
# thread@KIB: the thread model with --stack-size KIB), against a server started for it; its
# loadgen row waits in a scratch CSV of its own (loadgen writes the header into a new file),
# and its cost row in a scratch file, for block_rows.
block_point() {
    local sweep=$1 block=$2 order=$3 key=$4
    shift 4
    local label=${key%@*} stack="" extra=() metrics="" cost shown=$sweep
    [[ $key == *@* ]] && stack=${key#*@} extra=(--stack-size "$stack") shown+=" stack_kib=$stack"
    [[ $label == thread && -z $stack ]] && stack=$THREAD_STACK_KIB
    local base="$SCRATCH/$sweep-$block-$key"
    if [[ $COST_SWEEPS == *" $sweep "* ]] && server_is_parlab "$label"; then
        # The server's own counters at its stop: one server per point, so its final row
        # holds that point's. The thread model's points of the client sweep keep theirs in
        # server_metrics.csv, with a row a second.
        metrics=$base.metrics.csv
        [[ $PASS == run ]] && rm -f "$metrics"
        extra+=(--metrics "$metrics")
        [[ $sweep == server_clients && $key == thread ]] && extra+=(--metrics-interval 1)
    fi
    server_start_named "$label" "${extra[@]}"
    load_point "$base.csv" "$shown" "$label" "$@"
    local proc=""
    [[ $PASS == run && $COST_SWEEPS == *" $sweep "* && -z $metrics ]] &&
        proc=$(server_proc_cpu),$(server_status_kib VmHWM)
    server_stop
    BLOCK_ORDER[$key]=$order
    [[ $PASS == run && $COST_SWEEPS == *" $sweep "* ]] || return 0
    # The loadgen row: clients, its measured phase, and its sessions (the count a server
    # without counters is credited with).
    local load clients wall sessions
    load=$(csv_columns "$base.csv" clients duration_s sessions) || exit 1
    IFS=, read -r clients wall sessions <<<"${load##*$'\n'}"
    cost="$sweep,$label,$clients,$stack,$block"
    if [[ -n $metrics ]]; then
        local rows final user sys vol invol threads rss
        rows=$(csv_columns "$metrics" row ready_messages cpu_user_us cpu_sys_us ctx_voluntary \
            ctx_involuntary threads_created maxrss_kib) || exit 1
        final=$(grep '^final,' <<<"$rows" | tail -1)
        [[ -n $final ]] || { echo "bench: $metrics: no final row (the server did not stop cleanly)" >&2; exit 1; }
        IFS=, read -r sessions user sys vol invol threads rss <<<"${final#final,}"
        cost+=",$sessions,$wall,$user,$sys,$vol,$invol,$threads,$rss,metrics"
        if [[ $sweep == server_clients && $key == thread ]]; then
            server_metrics_append "$metrics"
        fi
    else
        local user sys rss
        IFS=, read -r user sys rss <<<"$proc"
        cost+=",$sessions,$wall,$user,$sys,,,,$rss,proc"
    fi
    echo "$cost" >"$base.cost"
}

# server_metrics_append FILE: a server's --metrics rows appended to $RUN/server_metrics.csv,
# the header once (the same server wrote every file, so the same columns).
server_metrics_append() {
    local dest="$RUN/server_metrics.csv" header mine
    IFS= read -r mine <"$1"
    if [[ -f $dest ]]; then
        IFS= read -r header <"$dest"
        [[ $header == "$mine" ]] ||
            { echo "bench: $1: its columns are not those of $dest" >&2; exit 1; }
        tail -n +2 "$1" >>"$dest"
    else
        cat "$1" >"$dest"
    fi
}

# block_rows SWEEP BLOCK KEY...: the block's rows appended to $RUN/SWEEP.csv in the order of
# the keys given, the servers' fixed order, whatever the order they ran in: readers list
# servers in the order they first appear. Each row gets two cells more, `block` and
# `order_in_block` (where the server ran in its block, 1 first), and in server_stack.csv
# first `stack_kib`. The points' cost rows go to $RUN/server_cost.csv in the same order.
block_rows() {
    local sweep=$1 block=$2
    shift 2
    [[ $PASS == count ]] && return
    local dest="$RUN/$sweep.csv" key src header want lines more=""
    [[ $sweep == server_stack ]] && more=",stack_kib"
    for key in "$@"; do
        src="$SCRATCH/$sweep-$block-$key.csv"
        mapfile -t lines <"$src"
        # loadgen writes a new file's header and one row, or nothing and exits 1.
        ((${#lines[@]} == 2)) ||
            { echo "bench: $src: ${#lines[@]} lines, expected a header and one row" >&2; exit 1; }
        want="${lines[0]}$more,block,order_in_block"
        if [[ -f $dest ]]; then
            IFS= read -r header <"$dest"
            [[ $header == "$want" ]] ||
                { echo "bench: $dest: its header is not loadgen's plus$more,block,order_in_block" >&2; exit 1; }
        else
            echo "$want" >"$dest"
        fi
        echo "${lines[1]}${more:+,${key#*@}},$block,${BLOCK_ORDER[$key]}" >>"$dest"
        if [[ -f $SCRATCH/$sweep-$block-$key.cost ]]; then
            [[ -f $RUN/server_cost.csv ]] || echo "$COST_HEADER" >"$RUN/server_cost.csv"
            cat "$SCRATCH/$sweep-$block-$key.cost" >>"$RUN/server_cost.csv"
        fi
    done
}

# hold_point CSV SHOWN LABEL HELD STACK ARGS...: LABEL's server holding HELD connections at
# once (loadgen --hold, every reply checked), admitting more than that (--max-clients); its
# memory row into server_memory.csv: VmHWM after the hold, VmRSS before any load, and STACK
# (the thread model's --stack-size, empty for the others). The loadgen row goes to CSV, the
# progress line begins with SHOWN.
hold_point() {
    local csv=$1 shown=$2 label=$3 held=$4 stack=$5
    shift 5
    local extra=(--max-clients $((held + 1000)))
    [[ $label == thread ]] && extra+=(--stack-size "$stack")
    server_start_named "$label" "${extra[@]}"
    load_point "$csv" "$shown" "$label" --hold "$held" "$@" --verify
    if [[ $PASS == run ]]; then
        [[ -f $RUN/server_memory.csv ]] ||
            echo "label,held,vm_hwm_kib,base_kib,stack_kib" >"$RUN/server_memory.csv"
        echo "$label,$held,$(server_status_kib VmHWM),$SERVER_BASE_KIB,$stack" >>"$RUN/server_memory.csv"
    fi
    server_stop
}

# -- the sweeps -------------------------------------------------------------------------------

server_sweeps() {
    local mode=$1 duration=2 clients="1 8 64 512 2048" rates="2000 5000 10000 20000" hold=8000
    local repeats=6 repeat_duration=2 hold_for=() stacks="16 64 256 1024 8192" stack_blocks=3
    local stack_hold=2000
    case $mode in
    quick) duration=1 clients="1 64 512" rates="5000 20000" hold=2000 repeat_duration=1
        stacks="16 1024 8192" stack_blocks=2 ;;
    # The shape of the sweeps, not numbers: the points as short as still gives rows.
    tiny) duration=0.1 clients="1 8" rates="1000" hold=50 hold_for=(--hold-for 0.2) repeats=2
        repeat_duration=0.1 stacks="16 8192" stack_blocks=1 stack_hold=50 ;;
    esac
    local prog
    for prog in server loadgen floor_thread floor_epoll; do
        [[ -x $BIN/$prog ]] || { echo "bench: $BIN/$prog not built (make)" >&2; exit 1; }
    done
    CLK_TCK=$(getconf CLK_TCK)
    server_pin_words
    server_probe_uring
    # Both passes draw the same orders: the count pass must not move the generator on.
    order_seed "${SERVER_SEED-}"
    declare -gA BLOCK_ORDER=()
    local k block c r s

    # Throughput and latency against concurrent clients, closed loop, no pause: every
    # server, one block per client count.
    local servers=("${PARLAB_MODELS[@]}" python-threaded floor-thread floor-epoll)
    block=0
    for c in $clients; do
        block=$((block + 1))
        order_shuffle "${servers[@]}"
        for k in "${!ORDER[@]}"; do
            block_point server_clients $block $((k + 1)) "${ORDER[k]}" --clients "$c" --duration $duration
        done
        block_rows server_clients $block "${servers[@]}"
    done

    # Paired repeats at 64 clients: each block a fresh thread-model server and a fresh
    # one-loop epoll server, in a shuffled order. The regression gate judges the thread
    # model's throughput over these runs, and its ratio to the epoll loop's run of the same
    # block, which a busier or slower machine moves far less. Rows alternate thread,
    # epoll-1: the i-th of each are block i.
    for ((block = 1; block <= repeats; block++)); do
        order_shuffle thread epoll-1
        for k in "${!ORDER[@]}"; do
            block_point server_repeat $block $((k + 1)) "${ORDER[k]}" --clients 64 --duration $repeat_duration
        done
        block_rows server_repeat $block thread epoll-1
    done

    # Open loop at fixed arrival rates: latency as the load approaches saturation, every
    # parlab model, one block per rate.
    block=0
    for r in $rates; do
        block=$((block + 1))
        order_shuffle "${PARLAB_MODELS[@]}"
        for k in "${!ORDER[@]}"; do
            block_point server_rate $block $((k + 1)) "${ORDER[k]}" --clients 64 --rate "$r" --duration $duration
        done
        block_rows server_rate $block "${PARLAB_MODELS[@]}"
    done

    # The thread model's stack size: closed loop at 64 clients, a block holding every size.
    # glibc keeps 40 MiB of freed stacks for reuse: at 64 connections, stacks of 1 MiB and
    # more no longer fit, and every connection maps and unmaps its own.
    local keys=()
    for s in $stacks; do keys+=("thread@$s"); done
    for ((block = 1; block <= stack_blocks; block++)); do
        order_shuffle "${keys[@]}"
        for k in "${!ORDER[@]}"; do
            block_point server_stack $block $((k + 1)) "${ORDER[k]}" --clients 64 --duration $duration
        done
        block_rows server_stack $block "${keys[@]}"
    done

    # Capacity: $hold connections held open at once, each answered with the exact mean, in
    # every parlab model; then the thread model's memory per held connection at each stack
    # size (its loadgen rows stay in the scratch folder: server_hold.csv is one row a model).
    local model
    for model in "${PARLAB_MODELS[@]}"; do
        s=""
        [[ $model == thread ]] && s=$THREAD_STACK_KIB
        hold_point "$RUN/server_hold.csv" server_hold "$model" $hold "$s" "${hold_for[@]}"
    done
    for s in $stacks; do
        hold_point "$SCRATCH/stack-hold-$s.csv" "server_memory stack_kib=$s" thread $stack_hold "$s" "${hold_for[@]}"
    done
}
