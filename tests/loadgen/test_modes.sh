# Closed loop, open loop and hold against the real server, each appending one row to a
# shared CSV: the header once, the columns complete, the figures consistent.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$PARLAB_TESTS/loadgen/lib_loadgen.sh" || exit 1
LG="$PARLAB_BIN/loadgen"
CSV="$T_DIR/runs.csv"
HEADER="label,target,mode,clients,threads,rate_per_s,delay_s,duration_s,sessions,sessions_per_s,latency_mean_us,latency_p50_us,latency_p90_us,latency_p99_us,latency_p999_us,latency_max_us,errors_connect,errors_write,errors_read,errors_timeout,errors_reply,errors_unparsable,held"

lg_server modes
TARGET="127.0.0.1:$PORT"

# 1: closed loop for a second.
run_status "$LG" "$TARGET" --clients 8 --threads 2 --duration 1 --csv "$CSV"
assert_eq "closed: exit" 0 "$T_STATUS"
assert_match "closed: summary" "closed loop, 8 clients, 2 threads, no pause" "$T_OUT"
assert_match "closed: latency line" "latency +mean [0-9.]+ [mu]?s, p50 .* max " "$T_OUT"
assert_match "closed: no errors" "errors +none" "$T_OUT"

# 2: open loop, 150 sessions at 300/s, with a label that needs quoting.
run_status "$LG" "$TARGET" --clients 4 --rate 300 --sessions 150 --label 'open, 300/s' \
    --csv "$CSV"
assert_eq "open: exit" 0 "$T_STATUS"
assert_match "open: summary" "open loop at 300/s, 4 clients" "$T_OUT"

# 3: hold 200 connections, then "ready" on all.
run_status "$LG" "$TARGET" --hold 200 --csv "$CSV"
assert_eq "hold: exit" 0 "$T_STATUS"
assert_match "hold: held" "held +200 at once" "$T_OUT"
assert_match "hold: answered" "answered +200 with a mean" "$T_OUT"

assert_eq "csv header" "$HEADER" "$(head -1 "$CSV")"
assert_eq "csv shape" "3 rows, fields per line: 23 23 23 23" "$(lg_shape "$CSV")"

assert_eq "closed: label defaults to the target" "$TARGET" "$(lg_field "$CSV" 1 label)"
assert_eq "closed: target" "$TARGET" "$(lg_field "$CSV" 1 target)"
assert_eq "closed: mode" closed "$(lg_field "$CSV" 1 mode)"
assert_eq "closed: clients" 8 "$(lg_field "$CSV" 1 clients)"
assert_eq "closed: threads" 2 "$(lg_field "$CSV" 1 threads)"
assert_eq "closed: no rate" "" "$(lg_field "$CSV" 1 rate_per_s)"
assert_eq "closed: delay" 0.0 "$(lg_field "$CSV" 1 delay_s)"
assert_eq "closed: not held" "" "$(lg_field "$CSV" 1 held)"
assert_eq "closed: errors" "0 0 0 0 0 0" "$(for k in connect write read timeout reply unparsable; do
    lg_field "$CSV" 1 errors_$k; done | xargs)"

assert_eq "open: label" "open, 300/s" "$(lg_field "$CSV" 2 label)"
assert_eq "open: mode" open "$(lg_field "$CSV" 2 mode)"
assert_eq "open: rate" 300.0 "$(lg_field "$CSV" 2 rate_per_s)"
assert_eq "open: sessions" 150 "$(lg_field "$CSV" 2 sessions)"

assert_eq "hold: mode" hold "$(lg_field "$CSV" 3 mode)"
assert_eq "hold: clients" 200 "$(lg_field "$CSV" 3 clients)"
assert_eq "hold: held" 200 "$(lg_field "$CSV" 3 held)"
assert_eq "hold: answered" 200 "$(lg_field "$CSV" 3 sessions)"

# Figures that must hang together in every row: ordered percentiles, sessions/s equal to
# sessions over duration, a mean between the extremes.
for row in 1 2 3; do
    verdict=$("$PYTHON3" - "$CSV" "$row" <<'PY'
import csv, sys
r = list(csv.DictReader(open(sys.argv[1], newline="")))[int(sys.argv[2]) - 1]
f = {k: float(r[k]) for k in ("latency_p50_us", "latency_p90_us", "latency_p99_us",
                              "latency_p999_us", "latency_max_us", "latency_mean_us",
                              "duration_s", "sessions", "sessions_per_s")}
problems = []
order = ["latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_p999_us", "latency_max_us"]
for a, b in zip(order, order[1:]):
    if not 0 < f[a] <= f[b]:
        problems.append(f"{a} {f[a]} > {b} {f[b]}")
if not 0 < f["latency_mean_us"] <= f["latency_max_us"]:
    problems.append("mean outside (0, max]")
if f["sessions"] < 1 or f["duration_s"] <= 0:
    problems.append("no sessions or no duration")
# duration_s is rounded to the microsecond and sessions_per_s to the hundredth.
elif abs(f["sessions_per_s"] - f["sessions"] / f["duration_s"]) > (
        0.005 + f["sessions"] * 0.5e-6 / f["duration_s"] ** 2 + 1e-9):
    problems.append(f"sessions_per_s {f['sessions_per_s']} != {f['sessions']} / {f['duration_s']}")
print("; ".join(problems) or "consistent")
PY
)
    assert_eq "row $row figures" consistent "$verdict"
done

# A second file for a row from a different program: refused, not mixed.
echo "other,header" >"$T_DIR/other.csv"
run_status "$LG" "$TARGET" --clients 2 --sessions 10 --csv "$T_DIR/other.csv"
assert_eq "foreign csv: exit" 1 "$T_STATUS"
assert_match "foreign csv: message" "its header differs" "$T_ERR"
assert_eq "foreign csv: untouched" "other,header" "$(cat "$T_DIR/other.csv")"

t_done
