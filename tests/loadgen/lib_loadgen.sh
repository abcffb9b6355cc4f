# Shared by loadgen's tests: servers started on free ports and stopped at exit, and CSV
# fields read with Python's csv module (an independent parser).

LG_PIDS=()

lg_cleanup() {
    local pid
    for pid in "${LG_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$T_DIR"
}
trap lg_cleanup EXIT

# lg_start NAME CMD... : runs CMD in the background and waits (at most 20 s) for its
# "listening on HOST:PORT" line; sets PORT and LG_PID.
lg_start() {
    local log="$T_DIR/$1.log"
    shift
    "$@" >"$log" 2>&1 &
    LG_PID=$!
    LG_PIDS+=("$LG_PID")
    local i
    for ((i = 0; i < 400; i++)); do
        PORT=$(sed -n 's/^.*listening on [^ ]*:\([0-9][0-9]*\)$/\1/p' "$log" | head -1)
        [[ -n "$PORT" ]] && return 0
        kill -0 "$LG_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "FAIL: '$*' did not start listening: $(cat "$log")" >&2
    exit 1
}

# lg_server NAME [ARGS...]: a fresh build/bin/server on a free port.
lg_server() {
    local name=$1
    shift
    lg_start "$name" "$PARLAB_BIN/server" 0 --quiet "$@"
}

# lg_stub MODE: the misbehaving stub server on a free port.
lg_stub() {
    lg_start "stub-$1" "$PYTHON3" "$PARLAB_TESTS/loadgen/stub_server.py" --reply "$1"
}

# lg_field FILE ROW COLUMN: one field of a CSV (ROW 1 is the first after the header).
lg_field() {
    "$PYTHON3" - "$@" <<'PY'
import csv, sys
path, row, column = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, newline="") as f:
    rows = list(csv.DictReader(f))
print(rows[row - 1][column] if len(rows) >= row else "(no row %d)" % row)
PY
}

# lg_shape FILE: "ROWS rows, fields per line: N N ..." (header included).
lg_shape() {
    "$PYTHON3" - "$1" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f:
    lines = list(csv.reader(f))
print(f"{len(lines) - 1} rows, fields per line: {' '.join(str(len(l)) for l in lines)}")
PY
}
