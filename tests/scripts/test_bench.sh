# bench/run on its tiny configuration: every sweep file well formed, meta.json complete and
# marked so, results never overwritten; the server sweep's servers interleaved, in orders
# replayed from the seed meta.json records; a run cut short (a failed point, SIGTERM) is
# left marked incomplete and refused by the gate; bench/csv.sh reads columns by name.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
ROOT=$(dirname "$PARLAB_TESTS")
cd "$T_DIR"

# The interpreter itself first on PATH: bench/run and its helpers start python3 many times,
# and a version manager's shim costs up to seconds a start on a busy machine. bench/run
# resolves python3 to its real path all the same, so what it records is unchanged.
PY=$("$PYTHON3" -c 'import os, sys; print(os.path.realpath(sys.executable))')
mkdir py-bin && ln -s "$PY" py-bin/python3
PATH="$T_DIR/py-bin:$PATH"

# The runs below that do not depend on one another overlap (bg, bg_wait: tests/lib.sh):
# their timings are not what is checked, their shape is.

# The tiny runs every check below reads. The primes sweep in a checkout of its own: there it
# must leave results/latest alone (--no-latest) and name the binaries it ran, not the
# checkout. A checkout whose results/latest points at an older run; binaries copied out of
# the build, one of them rebuilt elsewhere without parlab's build mark. The server sweep
# beside it, into a folder of its own.
co="$T_DIR/co"
mkdir -p "$co/results/old"
cp -r "$ROOT/bench" "$co/bench"
mkdir "$co/scripts"
cp -r "$ROOT/scripts/parlab" "$co/scripts/parlab"
ln -s old "$co/results/latest"
cp -r "$PARLAB_BIN" bin-copy
printf '#!/bin/sh\nexit 0\n' >bin-copy/client
bg primes "$co/bench/run" --tiny --only primes --no-latest --bin bin-copy
bg server "$ROOT/bench/run" --tiny --only server --out srv --bin "$PARLAB_BIN"
bg compare env PARLAB_BIN="$PARLAB_BIN" "$ROOT/bench/servers/compare.sh" --seconds 0.1 --runs 1 \
    --servers thread,floor-thread,epoll-1,floor-epoll

# -- runs cut short, meanwhile ----------------------------------------------------------------
# Cut short by a failed point: optimized fails at once.
mkdir fail-bin stop-bin
ln -s "$PARLAB_BIN/nonoptimized" fail-bin/nonoptimized
printf '#!/bin/sh\nexit 3\n' >fail-bin/optimized
ln -s "$PARLAB_BIN/nonoptimized" stop-bin/nonoptimized
printf '#!/bin/sh\nexec sleep 30\n' >stop-bin/optimized
chmod +x fail-bin/optimized stop-bin/optimized
run_status "$ROOT/bench/run" --tiny --only primes --out failed --bin fail-bin
assert_eq "a failed point: exit" 1 "$T_STATUS"
assert_match "a failed point: says the run is incomplete" "cut short \\(exit 1\\); .*/failed is incomplete" "$T_ERR"
assert_eq "a failed point: meta.json says incomplete" "False" \
    "$("$PY" -c 'import json; print(json.load(open("failed/meta.json"))["complete"])')"
run_status "$ROOT/scripts/regress" --check-run failed
assert_eq "a failed run: the gate refuses it" 2 "$T_STATUS"
assert_match "a failed run: one line says why" "^regress: failed: incomplete run: meta.json is not marked complete" "$T_ERR"

# Cut short by a signal to the whole process group, as Ctrl-C or a CI timeout does, once a
# point is under way (a point that runs this optimized never ends by itself).
setsid "$ROOT/bench/run" --tiny --only primes --out stopped --bin stop-bin >stop.out 2>stop.err &
pid=$!
for _ in $(seq 300); do
    grep -q '\[1/' stop.out 2>/dev/null && break
    sleep 0.1
done
kill -TERM -- "-$pid"
wait "$pid"
assert_eq "SIGTERM: exit" 143 "$?"
assert_match "SIGTERM: says the run is incomplete" "cut short \\(exit 143\\)" "$(cat stop.err)"

run_status "$ROOT/bench/run" --fast
assert_eq "unknown argument exit" 2 "$T_STATUS"
assert_match "unknown argument named" "unknown argument '--fast'" "$T_ERR"

# -- the primes run ---------------------------------------------------------------------------
bg_wait primes
assert_eq "bench exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "bench/run --no-latest: results/latest left alone" old "$(readlink "$co/results/latest")"
made=$(ls "$co/results" | grep -v '^old$\|^latest$')
assert_match "bench/run --no-latest: the run in results/, named by the binaries' commit" \
    '^[0-9]{8}T[0-9]{6}Z-[0-9a-f]+$' "$made"
ln -s "$co/results/$made" run
total=$(grep -o '\[1/[0-9]*\]' <<<"$T_OUT" | head -1 | tr -dc 0-9 | cut -c2-)
assert_match "progress lines count up to the total" "\\[$total/$total\\] " "$T_OUT"
run_status "$ROOT/scripts/regress" run stopped
assert_eq "a stopped run: the gate refuses it" 2 "$T_STATUS"
assert_match "a stopped run: one line says why" "^regress: stopped: incomplete run: " "$T_ERR"

"$PY" - run <<'PY'
import csv, json, os, sys
run = sys.argv[1]
meta = json.load(open(os.path.join(run, "meta.json")))
for key in ("cpu_model", "cores", "kernel", "compiler", "cflags", "commit", "dirty", "date_utc",
            "tools", "hardware_counters_available", "sweep"):
    assert key in meta, f"meta.json lacks {key}"
assert meta["sweep"] == "tiny", meta["sweep"]
assert meta["complete"] is True, "meta.json not marked complete"
assert meta["sweeps"] == ["primes"], meta["sweeps"]
on_disk = sorted(n for n in os.listdir(run) if n != "meta.json")
assert meta["files"] == on_disk, f"manifest {meta['files']} != {on_disk}"
assert meta["tools"].get("python3"), "meta.json: no python3 version"
py = meta["tools"].get("python3_path", "")
assert os.path.isabs(py) and os.path.realpath(py) == py and os.access(py, os.X_OK), \
    f"meta.json: python3_path {py!r} is not the real interpreter"
assert not any(n.endswith((".hyperfine.json", ".hyperfine.csv")) for n in on_disk), on_disk
for sweep in ("primes_procs", "primes_chunk", "primes_size", "primes_python"):
    rows = list(csv.DictReader(open(os.path.join(run, sweep + ".csv"))))
    assert rows, f"{sweep}.csv is empty"
    for col in ("program", "limit", "procs", "schedule", "chunk", "runs", "median_s", "mean_s",
                "stddev_s", "cv_pct", "min_s", "max_s", "user_s", "system_s", "outside_cores",
                "steal_s", "attempts", "suspect", "comparison"):
        assert col in rows[0], f"{sweep}.csv lacks {col}"
    for r in rows:
        assert None not in r and all(v is not None and (v != "" or k == "suspect")
                                     for k, v in r.items()), f"{sweep}: ragged {r}"
        assert float(r["min_s"]) <= float(r["median_s"]) <= float(r["max_s"]), f"{sweep}: {r}"
        assert int(r["runs"]) >= 2 and int(r["attempts"]) >= 1, f"{sweep}: {r}"
    runs = list(csv.DictReader(open(os.path.join(run, sweep + ".runs.csv"))))
    assert runs, f"{sweep}.runs.csv is empty"
    key = lambda r: tuple(r[k] for k in ("program", "limit", "procs", "schedule", "chunk"))
    # Every block of every attempt of a comparison holds each of its variants once.
    variants, blocks = {}, {}
    for r in runs:
        assert r["exit"] == "0" and float(r["wall_s"]) > 0, f"{sweep}.runs.csv: {r}"
        variants.setdefault(r["comparison"], set()).add(key(r))
        blocks.setdefault((r["comparison"], r["attempt"], r["block"]), []).append(key(r))
    for (comparison, attempt, block), members in blocks.items():
        assert sorted(members) == sorted(variants[comparison]), \
            f"{sweep}: comparison {comparison} block {block}: {members}"
        assert sorted(int(r["order_in_block"]) for r in runs if (r["comparison"], r["attempt"],
                      r["block"]) == (comparison, attempt, block)) == \
            list(range(1, len(members) + 1))
    # Each summary row is backed by its runs: as many, of the last attempt, the same median.
    for r in rows:
        mine = [float(x["wall_s"]) for x in runs if key(x) == key(r)
                and x["comparison"] == r["comparison"] and x["attempt"] == r["attempts"]]
        assert len(mine) == int(r["runs"]), f"{sweep}: {r} has {len(mine)} runs"
        mine.sort()
        n = len(mine)
        med = mine[n // 2] if n % 2 else (mine[n // 2 - 1] + mine[n // 2]) / 2
        assert abs(med - float(r["median_s"])) < 2e-6, f"{sweep}: median {med} vs {r}"
    assert len({r["comparison"] for r in rows}) == len(variants)
programs = {r["program"] for r in csv.DictReader(open(os.path.join(run, "primes_python.csv")))}
assert {"nonoptimized", "optimized", "python_nonoptimized", "python_optimized"} <= programs, programs
metrics = list(csv.DictReader(open(os.path.join(run, "primes_metrics.csv"))))
assert metrics and all(r["trial_divisions"] for r in metrics)
sums = {r["sha256"] for r in csv.DictReader(open(os.path.join(run, "primes_checksums.csv")))}
assert len(sums) == 1, f"programs disagree: {sums}"
print("tiny run well formed")
PY
assert_eq "sweep files well formed" 0 $?
run_status "$ROOT/scripts/regress" --check-run run
assert_eq "the gate takes the run as complete ($T_ERR)" 0 "$T_STATUS"
run_status "$ROOT/scripts/report" run --out rep
assert_eq "report of a primes-only run exit ($T_ERR)" 0 "$T_STATUS"
assert_match "the report says the server sweep is missing" \
    "The server sweep \\(server_clients\\) was not part of this run" "$(cat rep/report.md)"

run_status "$ROOT/bench/run" --tiny --only primes --out run --bin "$PARLAB_BIN"
assert_eq "an existing run is not overwritten" 2 "$T_STATUS"
assert_match "the refusal names the folder" "run' exists" "$T_ERR"

# -- the server run: servers interleaved in blocks, in the orders its seed gives ---------------
bg_wait server
assert_eq "server bench exit ($T_ERR)" 0 "$T_STATUS"
progress=$T_OUT
run_status "$ROOT/scripts/regress" --check-run srv
assert_eq "the gate takes the server run as complete, every file typed ($T_ERR)" 0 "$T_STATUS"
# parlab's models: uring where this build and kernel run it, else one line says why not.
models=(thread pool epoll-1 epoll)
if grep -q '^bench: uring skipped: ' <<<"$T_ERR"; then
    assert_match "uring left out: the server's reason, one line" \
        "^bench: uring skipped: [^ ].*$" "$(grep '^bench: uring skipped: ' <<<"$T_ERR")"
else
    models+=(uring)
fi
servers=("${models[@]}" python-threaded floor-thread floor-epoll)
n=${#servers[@]}
# The generator bench/run drew the orders from, replayed here from the recorded seed.
source "$ROOT/bench/server.sh"
seed=$(sed -n 's/^ *"server_order_seed": "\([0-9]*\)",\{0,1\}$/\1/p' srv/meta.json)
assert_match "meta.json records the seed of the servers' orders" '^[0-9]+$' "$seed"
order_seed "${seed:-1}"
ran="" rows=""
block=0
for clients in 1 8; do # --tiny's client counts, one block each
    block=$((block + 1))
    order_shuffle "${servers[@]}"
    declare -A place=()
    for k in "${!ORDER[@]}"; do
        ran+="$clients ${ORDER[k]};"
        place[${ORDER[k]}]=$((k + 1))
    done
    for label in "${servers[@]}"; do rows+="$clients,$label,$block,${place[$label]};"; done
done
# progress lines: the points in the order they ran
got=$(sed -n 's/^\[[0-9]*\/[0-9]*\] server_clients \([^ ]*\) --clients \([0-9]*\) .*/\2 \1/p' <<<"$progress")
assert_eq "client sweep: one point per server per client count" $((2 * n)) "$(wc -l <<<"$got")"
assert_eq "client sweep: the first block runs every server, not one server's points first" "$n" \
    "$(head -"$n" <<<"$got" | cut -d' ' -f2 | sort -u | wc -l)"
assert_eq "client sweep: run in the orders the recorded seed gives" "$ran" "$(tr '\n' ';' <<<"$got")"
assert_eq "server_clients.csv: per block, the servers' fixed order, where each ran" "$rows" \
    "$(csv_columns srv/server_clients.csv clients label block order_in_block | tr '\n' ';')"

ran="" rows=""
for block in 1 2; do # --tiny's repeats
    order_shuffle thread epoll-1
    ran+="${ORDER[*]};"
    if [[ ${ORDER[0]} == thread ]]; then
        rows+="thread,$block,1;epoll-1,$block,2;"
    else
        rows+="thread,$block,2;epoll-1,$block,1;"
    fi
done
got=$(sed -n 's/^\[[0-9]*\/[0-9]*\] server_repeat \([^ ]*\) .*/\1/p' <<<"$progress" | paste -d' ' - -)
assert_eq "repeats: each block both servers, in the orders the recorded seed gives" "$ran" \
    "$(tr '\n' ';' <<<"$got")"
assert_eq "server_repeat.csv: rows alternate thread, epoll-1, a block's pair together" "$rows" \
    "$(csv_columns srv/server_repeat.csv label block order_in_block | tr '\n' ';')"
assert_eq "repeats: the k-th thread row and the k-th epoll-1 row are block k" "1 2|1 2" \
    "$(csv_columns srv/server_repeat.csv label block | awk -F, '{b[$1] = b[$1] sep[$1] $2; sep[$1] = " "}
        END {print b["thread"] "|" b["epoll-1"]}')"
# The rate sweep: a block per rate (--tiny: one), each parlab model once in it.
order_shuffle "${models[@]}"
rows=""
for label in "${models[@]}"; do
    for k in "${!ORDER[@]}"; do [[ ${ORDER[k]} == "$label" ]] && rows+="$label,open,1,$((k + 1));"; done
done
assert_eq "server_rate.csv: every parlab model, open loop, in the order the seed gives" "$rows" \
    "$(csv_columns srv/server_rate.csv label mode block order_in_block | tr '\n' ';')"
# The stack sweep: one block of every --tiny size, stack_kib beside loadgen's columns.
order_shuffle thread@16 thread@8192
rows=""
for s in 16 8192; do
    for k in "${!ORDER[@]}"; do [[ ${ORDER[k]} == "thread@$s" ]] && rows+="thread,64,$s,1,$((k + 1));"; done
done
assert_eq "server_stack.csv: loadgen's columns, then stack_kib,block,order_in_block" \
    "$(head -1 srv/server_clients.csv | sed 's/,block,order_in_block$//'),stack_kib,block,order_in_block" \
    "$(head -1 srv/server_stack.csv)"
assert_eq "server_stack.csv: each size once, in the order the seed gives" "$rows" \
    "$(csv_columns srv/server_stack.csv label clients stack_kib block order_in_block | tr '\n' ';')"
assert_match "stack sweep: the progress line names the size" \
    "server_stack stack_kib=8192 thread --clients 64 " "$progress"
# The hold: every parlab model, then the thread model at every stack size; VmRSS before the
# load no more than the peak after it.
assert_eq "server_hold.csv: one hold of 50 per parlab model" \
    "$(printf '%s,hold,50;' "${models[@]}")" \
    "$(csv_columns srv/server_hold.csv label mode clients | tr '\n' ';')"
assert_eq "server_memory.csv: its header" "label,held,vm_hwm_kib,base_kib,stack_kib" \
    "$(head -1 srv/server_memory.csv)"
rows="thread,50,20;"
for label in "${models[@]:1}"; do rows+="$label,50,;"; done
assert_eq "server_memory.csv: a row per model (the thread model's stack named), then per stack" \
    "${rows}thread,50,16;thread,50,8192;" \
    "$(csv_columns srv/server_memory.csv label held stack_kib | tr '\n' ';')"
assert_eq "server_memory.csv: 0 < base_kib <= vm_hwm_kib" "" \
    "$(csv_columns srv/server_memory.csv base_kib vm_hwm_kib | awk -F, '!($1 > 0 && $1 <= $2)')"
# A thread-model server per point of the client sweep: its counters end with one final row each.
finals=$(csv_columns srv/server_metrics.csv row ready_messages | grep '^final,')
assert_eq "server_metrics.csv: a final row per thread-model point" 2 "$(wc -l <<<"$finals")"
assert_eq "server_metrics.csv: every server answered" "" "$(grep ',0$' <<<"$finals")"
assert_match "progress lines summarize each point by name" \
    "server_hold thread --hold 50 --hold-for 0.2 --verify \\.\\.\\. [0-9.]+ sessions/s, p99 [0-9.]+ ms, errors 0" "$progress"
# Pinned only with 4 CPUs or more.
pinned=all
(($("$PY" -c 'import os; print(len(os.sched_getaffinity(0)))') >= 4)) && pinned=list
assert_eq "meta.json: where servers and loadgen ran" "$pinned $pinned" \
    "$("$PY" -c 'import json, re, sys
m = json.load(open("srv/meta.json"))
print(" ".join("all" if m[k] == "all" else "list" if re.fullmatch(r"[0-9]+(,[0-9]+)*", m[k]) else m[k]
               for k in ("server_cpus", "loadgen_cpus")))')"

# server_cost.csv: a row per point of the client, repeat and stack sweeps, in their rows'
# order; the parlab models' from their counters, the others' from /proc with loadgen's
# sessions.
"$PY" - srv "${models[@]}" <<'PY'
import csv, os, sys
run, models = sys.argv[1], sys.argv[2:]
problems = []
def rows(name):
    return list(csv.DictReader(open(os.path.join(run, name))))
cost = rows("server_cost.csv")
header = ("sweep,label,clients,stack_kib,block,sessions,wall_s,cpu_user_us,cpu_sys_us,"
          "ctx_voluntary,ctx_involuntary,threads_created,maxrss_kib,source").split(",")
if list(cost[0]) != header:
    problems.append(f"header {list(cost[0])}")
points = [(sweep, r) for sweep in ("server_clients", "server_repeat", "server_stack")
          for r in rows(sweep + ".csv")]
if [(c["sweep"], c["label"], c["clients"], c["block"]) for c in cost] != \
        [(s, r["label"], r["clients"], r["block"]) for s, r in points]:
    problems.append("not a row per point, in the points' order")
for c, (sweep, r) in zip(cost, points):
    where = f"{sweep} {r['label']} clients={r['clients']} block={r['block']}"
    parlab = c["label"] in models
    if c["source"] != ("metrics" if parlab else "proc"):
        problems.append(f"{where}: source {c['source']}")
    if c["wall_s"] != r["duration_s"]:
        problems.append(f"{where}: wall_s {c['wall_s']} is not loadgen's {r['duration_s']}")
    want_stack = r.get("stack_kib") or ("20" if c["label"] == "thread" else "")
    if c["stack_kib"] != want_stack:
        problems.append(f"{where}: stack_kib {c['stack_kib']!r}, expected {want_stack!r}")
    if int(c["maxrss_kib"]) <= 0:
        problems.append(f"{where}: maxrss_kib {c['maxrss_kib']}")
    if parlab:
        # The server answered at least every session loadgen counted; the thread model
        # starts a thread per connection, the one-loop epoll server one thread.
        if int(c["sessions"]) < int(r["sessions"]):
            problems.append(f"{where}: {c['sessions']} answered < loadgen's {r['sessions']}")
        if c["label"] == "thread" and int(c["threads_created"]) < int(c["sessions"]):
            problems.append(f"{where}: {c['threads_created']} threads for {c['sessions']}")
        if c["label"] == "epoll-1" and c["threads_created"] != "1":
            problems.append(f"{where}: threads_created {c['threads_created']}")
        if not all(c[k] for k in ("ctx_voluntary", "ctx_involuntary", "threads_created")):
            problems.append(f"{where}: counters missing: {c}")
    else:
        if c["sessions"] != r["sessions"]:
            problems.append(f"{where}: sessions {c['sessions']} is not loadgen's {r['sessions']}")
        if any(c[k] for k in ("ctx_voluntary", "ctx_involuntary", "threads_created")):
            problems.append(f"{where}: /proc counts no switches or threads: {c}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
assert_eq "server_cost.csv: a row per point, from the server's counters or /proc" 0 $?

bg_wait compare
assert_eq "compare.sh exit ($T_ERR)" 0 "$T_STATUS"
assert_match "compare.sh: the medians, read by column name" \
    "^median round trips/s: thread [1-9][0-9]*, floor-thread [1-9][0-9]*, epoll-1 [1-9][0-9]*, floor-epoll [1-9][0-9]*" "$T_OUT"
assert_match "compare.sh: each server's ratio to the first" \
    "^floor-thread/thread [0-9.]+, epoll-1/thread [0-9.]+, floor-epoll/thread [0-9.]+$" "$(tail -1 <<<"$T_OUT")"
assert_eq "compare.sh: each server once a round" "1 1 1 1" \
    "$(for s in thread floor-thread epoll-1 floor-epoll; do grep -c "^run 1 $s: " <<<"$T_ERR"; done | tr '\n' ' ' | sed 's/ $//')"
run_status "$ROOT/bench/servers/compare.sh" --servers thread,nginx
assert_eq "compare.sh: an unknown server, exit 2 naming it" "2|compare.sh: --servers: no server called 'nginx'" \
    "$T_STATUS|${T_ERR%% (one of:*}"

# -- bench/csv.sh: columns by name ------------------------------------------------------------
# loadgen's own file with its columns reversed: the same cells by name.
awk -F, '{for (i = NF; i > 1; i--) printf "%s,", $i; print $1}' srv/server_clients.csv >reversed.csv
assert_eq "csv_columns: the columns reordered, the same cells" \
    "$(csv_columns srv/server_clients.csv label sessions_per_s clients)" \
    "$(csv_columns reversed.csv label sessions_per_s clients)"
assert_eq "csv_columns: the cells of the columns named" "thread,1" \
    "$(csv_columns reversed.csv label clients | head -1)"
run_status csv_columns reversed.csv label no_such_column
assert_eq "csv_columns, a missing column: status" 1 "$T_STATUS"
assert_eq "csv_columns, a missing column: nothing printed" "" "$T_OUT"
assert_eq "csv_columns, a missing column: one line naming it" \
    "csv: reversed.csv:1: no column 'no_such_column'" "$T_ERR"
printf 'a,b\n1,2\n3\n' >ragged.csv
run_status csv_columns ragged.csv b
assert_eq "csv_columns, a short row: status" 1 "$T_STATUS"
assert_eq "csv_columns, a short row: named" "csv: ragged.csv:3: 1 cells, the header has 2" "$T_ERR"
printf 'a,b\n"1,5",2\n' >quoted.csv
run_status csv_columns quoted.csv b
assert_eq "csv_columns, a quoted cell: refused, not misread" \
    "1|csv: quoted.csv:2: a quoted cell; csv_columns reads plain cells only" "$T_STATUS|$T_ERR"
: >empty.csv
run_status csv_columns empty.csv b
assert_eq "csv_columns, an empty file" "1|csv: empty.csv: empty file (no header)" "$T_STATUS|$T_ERR"

# -- the binaries' identity and the machine's fingerprint, from the tiny run -------------
"$PY" - "$co/results/$made/meta.json" bin-copy "$PARLAB_BIN" <<'PY'
import hashlib, json, os, subprocess, sys
meta_path, copy, built = sys.argv[1:]
meta = json.load(open(meta_path))
bins = meta["binaries"]
problems = []
for name in ("nonoptimized", "optimized", "server", "loadgen", "client"):
    want = hashlib.sha256(open(os.path.join(copy, name), "rb").read()).hexdigest()
    if bins.get(name, {}).get("sha256") != want:
        problems.append(f"{name}: sha256 {bins.get(name)} is not the file's {want}")
# The build's own mark, as the binary prints it, not the checkout's (it has no git at all).
version = subprocess.run([os.path.join(built, "optimized"), "--version"], capture_output=True,
                         text=True).stdout.split()
marked = dict(w.split("=", 1) for w in version[1:])
for name in ("nonoptimized", "optimized"):
    if bins[name]["commit"] != marked["commit"]:
        problems.append(f"{name}: commit {bins[name]['commit']} is not the build's {marked['commit']}")
if meta["commit"] != marked["commit"]:
    problems.append(f"meta commit {meta['commit']} is not the binaries' {marked['commit']}")
if meta["bench_commit"] != "unknown":
    problems.append(f"bench_commit {meta['bench_commit']}: the copied checkout has no git")
if bins["client"]["commit"] != "unknown" or bins["client"]["dirty"] is not None:
    problems.append(f"an unmarked binary: {bins['client']}")
fp = meta["fingerprint"]
for key in ("cpu_model", "cores_online", "cores_usable", "memory_kib", "kernel", "virt_vm",
            "hypervisor_flag", "machine_id_hash", "microcode", "machine_id"):
    if key not in fp:
        problems.append(f"fingerprint lacks {key}")
if meta["machine_id"] != fp["machine_id"] or len(meta["machine_id"]) != 12:
    problems.append(f"machine_id {meta['machine_id']}")
collect = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(meta_path))), "bench",
                       "collect.py")
again = subprocess.run([sys.executable, collect, "machine-id"], capture_output=True,
                       text=True).stdout.strip()
if again != meta["machine_id"]:
    problems.append(f"machine_id not stable: {meta['machine_id']} then {again}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
assert_eq "bench/run --bin: each binary's sha256 and build commit, not the checkout's" 0 $?
assert_match "--version: the build's commit" '^optimized version=[0-9.]+ commit=([0-9a-f]+|unknown) dirty=[01?]$' \
    "$("$PARLAB_BIN/optimized" --version)"

t_done
