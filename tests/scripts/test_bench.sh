# bench/run on its tiny configuration: every sweep file well formed, meta.json complete,
# results never overwritten.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
ROOT=$(dirname "$PARLAB_TESTS")
cd "$T_DIR"

run_status "$ROOT/bench/run" --tiny --only primes --out run --bin "$PARLAB_BIN"
assert_eq "bench exit ($T_ERR)" 0 "$T_STATUS"
total=$(grep -o '\[1/[0-9]*\]' <<<"$T_OUT" | head -1 | tr -dc 0-9 | cut -c2-)
assert_match "progress lines count up to the total" "\\[$total/$total\\] " "$T_OUT"

"$PYTHON3" - run <<'PY'
import csv, json, os, sys
run = sys.argv[1]
meta = json.load(open(os.path.join(run, "meta.json")))
for key in ("cpu_model", "cores", "kernel", "compiler", "cflags", "commit", "dirty", "date_utc",
            "tools", "hardware_counters_available", "sweep"):
    assert key in meta, f"meta.json lacks {key}"
assert meta["sweep"] == "tiny", meta["sweep"]
for tool in ("hyperfine", "python3"):
    assert meta["tools"].get(tool), f"meta.json: no {tool} version"
for sweep in ("primes_procs", "primes_chunk", "primes_size", "primes_python"):
    rows = list(csv.DictReader(open(os.path.join(run, sweep + ".csv"))))
    assert rows, f"{sweep}.csv is empty"
    for r in rows:
        assert None not in r and all(v is not None and v != "" for v in r.values()), f"{sweep}: ragged {r}"
        assert float(r["min_s"]) <= float(r["median_s"]) <= float(r["max_s"]), f"{sweep}: {r}"
        assert int(r["runs"]) >= 2
    results = json.load(open(os.path.join(run, sweep + ".hyperfine.json")))["results"]
    assert len(results) == len(rows), f"{sweep}: {len(results)} JSON results, {len(rows)} rows"
    for res in results:
        assert len(res["times"]) >= 2 and res["parameters"]["program"]
    assert os.path.getsize(os.path.join(run, sweep + ".hyperfine.csv")) > 0
metrics = list(csv.DictReader(open(os.path.join(run, "primes_metrics.csv"))))
assert metrics and all(r["trial_divisions"] for r in metrics)
sums = {r["sha256"] for r in csv.DictReader(open(os.path.join(run, "primes_checksums.csv")))}
assert len(sums) == 1, f"programs disagree: {sums}"
print("tiny run well formed")
PY
assert_eq "sweep files well formed" 0 $?

run_status "$ROOT/bench/run" --tiny --only primes --out run --bin "$PARLAB_BIN"
assert_eq "an existing run is not overwritten" 2 "$T_STATUS"
assert_match "the refusal names the folder" "run' exists" "$T_ERR"
run_status "$ROOT/bench/run" --fast
assert_eq "unknown argument exit" 2 "$T_STATUS"
assert_match "unknown argument named" "unknown argument '--fast'" "$T_ERR"

t_done
