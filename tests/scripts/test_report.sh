# The figures and the report, drawn from a small committed run (tests/fixtures/run):
# every figure non-empty, every section present, every referenced figure on disk, the
# computed numbers right, bad inputs named, and no figure of another run ever embedded.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
ROOT=$(dirname "$PARLAB_TESTS")
FIXTURE=$PARLAB_TESTS/fixtures/run
cd "$T_DIR"
cp -r "$FIXTURE" run
# The scripts run by the interpreter itself, not through a version manager's shim: the
# test starts them dozens of times. (make, in test_runs.sh, starts them by their #! line.)
PY=$("$PYTHON3" -c 'import sys; print(sys.executable)')

run_status "$PY" "$ROOT/scripts/plots" run --out out/figures
assert_eq "plots exit" 0 "$T_STATUS"
limit=$(awk -F, 'NR == 2 {print $2}' run/primes_procs.csv)
for name in time_procs_$limit speedup_procs_$limit time_chunk load_balance counters cost_growth \
    c_vs_python server; do
    for ext in svg png; do
        if [[ -s out/figures/$name.$ext ]]; then t_pass; else t_fail "figure $name.$ext missing or empty"; fi
    done
done
assert_eq "PNG really is a PNG" "PNG" "$(head -c 4 out/figures/counters.png | tail -c 3)"
assert_match "SVG really is an SVG" "<svg" "$(head -c 400 out/figures/counters.svg)"
# This machine class has no hardware counters: the figure must say so.
if grep -q '"hardware_counters_available": false' run/meta.json; then
    assert_match "counters figure says not available" "not available on this machine" \
        "$(cat out/figures/counters.svg)"
fi

run_status "$PY" "$ROOT/scripts/report" run --out out
assert_eq "report exit" 0 "$T_STATUS"
assert_eq "report warns of nothing" "" "$T_ERR"
for section in Provenance Findings "Naive vs parallel" "Schedules and load balance" "Chunk size" \
    "Problem size" "C vs the lab's Python solutions" Counters Server Noise Reproduce; do
    assert_match "report.md has section '$section'" "## $section" "$(cat out/report.md)"
    assert_match "report.html has section '$section'" "<h2 id=\"[^\"]*\">${section//\'/.+}</h2>" \
        "$(cat out/report.html)"
done
# Every figure the report refers to exists, relative to the report.
refs=$(grep -o 'src="[^"]*"' out/report.html | sed 's/src="//; s/"$//')
assert_match "report embeds figures" "figures/" "$refs"
for ref in $refs; do
    if [[ -s out/$ref ]]; then t_pass; else t_fail "report.html refers to missing $ref"; fi
done
for ref in $(grep -o '](figures/[^)]*)' out/report.md | sed 's/^](//; s/)$//'); do
    if [[ -s out/$ref ]]; then t_pass; else t_fail "report.md refers to missing $ref"; fi
done

# The headline numbers, recomputed here from the CSV with awk.
t1=$(awk -F, 'NR > 1 && $1 == "nonoptimized" {print $7; exit}' run/primes_procs.csv)
t2=$(awk -F, 'NR > 1 && $1 == "optimized" && $3 == 2 && $4 == "dynamic" {print $7; exit}' run/primes_procs.csv)
speedup=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.2f", a / b}')
assert_match "headline speedup at P=2" "\\| 2 \\| [0-9.]+ ms \\| $speedup \\|" "$(cat out/report.md)"
# The fixture's paired runs, by hand: 20000/25000, 21000/30000, 22000/27500 = 0.8, 0.7, 0.8.
assert_match "paired runs table" "\\| sessions/s \\| 21,000 \\(20,000 to 22,000\\) \\| 27,500 \\(25,000 to 30,000\\) \\| 0.80x \\(0.70x to 0.80x\\) \\|" "$(cat out/report.md)"
assert_match "finding states the paired ratio" "Over 3 paired runs at 64 clients .parlab. does 0.80x" "$(cat out/report.md)"
assert_match "finding states the speedup" "speedup $speedup" "$(sed -n '/## Findings/,/## Naive/p' out/report.md)"

# With scipy (Debian's interpreter, the report's own): the speedup with its interval, paired by
# block, the base's median stated; a point marked suspect is marked and left out of the fit.
if /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
    cp -r run suspect
    awk -F, -v OFS=, 'NR > 1 && $1 == "optimized" && $3 == 2 && $4 == "dynamic" {$18 = "cv 9.1% > 5%"} {print}' \
        run/primes_procs.csv >suspect/primes_procs.csv
    run_status /usr/bin/python3 "$ROOT/scripts/report" suspect --out ci-out
    assert_eq "report with intervals exit ($T_ERR)" 0 "$T_STATUS"
    assert_match "speedup with its interval" "\\| 2 \\(suspect\\) \\| [0-9.]+ ms \\| [0-9.]+ \\[[0-9.]+, [0-9.]+\\] \\|" \
        "$(cat ci-out/report.md)"
    assert_match "the base's median and the pairing said" \
        "Speedup against .nonoptimized.'s median, [0-9.]+ ms over [0-9]+ runs. In brackets a 95% bootstrap interval of the ratio of medians, resampled by block" \
        "$(cat ci-out/report.md)"
    assert_match "the suspect point named as left out of the fit" \
        "left out of the Amdahl fit\\): P = 2: cv 9.1% > 5%" "$(cat ci-out/report.md)"
    assert_match "no fit from suspect points alone" "No Amdahl fit at N = 10\\^4" "$(cat ci-out/report.md)"
fi

# Bad input: named, exit 2, nothing half-written.
cp -r run broken
rm broken/primes_procs.csv
run_status "$PY" "$ROOT/scripts/report" broken --out broken-out
assert_eq "missing CSV exit" 2 "$T_STATUS"
assert_eq "missing CSV message" \
    "report: broken: incomplete run: primes_procs.csv is listed in meta.json but missing" "$T_ERR"
assert_eq "no report written" "" "$(ls broken-out 2>/dev/null)"
cp run/primes_procs.csv broken/primes_procs.csv
sed -i '2s/^\([^,]*\),\([^,]*\),/\1,x\2,/' broken/primes_procs.csv
run_status "$PY" "$ROOT/scripts/plots" broken --out broken-out/figures
assert_eq "malformed CSV exit" 2 "$T_STATUS"
assert_match "malformed CSV message" "^plots: broken/primes_procs.csv:2: column 'limit': 'x[0-9]+' is not a number$" "$T_ERR"
assert_eq "no figures written" "" "$(ls -A broken-out 2>/dev/null)"
cp run/primes_procs.csv broken/primes_procs.csv
cut -d, -f1-5 run/primes_chunk.csv >broken/primes_chunk.csv
run_status "$PY" "$ROOT/scripts/report" broken --out broken-out
assert_eq "CSV missing columns exit" 2 "$T_STATUS"
assert_match "CSV missing columns message" "^report: broken/primes_chunk.csv:1: missing column\\(s\\) runs, median_s" "$T_ERR"
echo "{" >broken/meta.json
run_status "$PY" "$ROOT/scripts/report" broken --out broken-out
assert_eq "bad meta.json exit" 2 "$T_STATUS"
assert_match "bad meta.json message" "broken/meta.json: not valid JSON" "$T_ERR"

# Headless Chromium, where installed: every image loads and nothing overflows.
if command -v chromium >/dev/null; then
    run_status "$ROOT/scripts/check-report" out/report.html out/report.png
    assert_eq "check-report exit ($T_ERR)" 0 "$T_STATUS"
    assert_match "check-report counted the figures" '"figures":[1-9]' "$T_OUT"
    assert_eq "screenshot is a PNG" "PNG" "$(head -c 4 out/report.png | tail -c 3)"
    # A broken figure reference must be caught.
    sed 's|figures/counters.svg|figures/nothing-here.svg|' out/report.html >out/bad.html
    run_status "$ROOT/scripts/check-report" out/bad.html out/bad.png
    assert_eq "check-report catches a missing image" 1 "$T_STATUS"
else
    echo "note: chromium not installed; the browser check was not run"
fi

# Figures from another run are never embedded. `other` is the run without its server
# sweeps (as `bench/run --only primes` writes it); out/figures still holds run's figures.
cp -r run other
rm other/server_*.csv
"$PYTHON3" -c '
import json, sys
meta = json.load(open(sys.argv[1]))
meta["sweeps"] = ["primes"]
meta["files"] = [n for n in meta["files"] if not n.startswith("server_")]
json.dump(meta, open(sys.argv[1], "w"), indent=2)' other/meta.json
run_status "$PY" "$ROOT/scripts/report" other --out out
assert_eq "report of another run exit" 0 "$T_STATUS"
assert_eq "no figure of the earlier run embedded" "" "$(grep -o '<img[^>]*>' out/report.html)"
assert_match "figures said not drawn for this run" "figures/time_procs_$limit.svg was not drawn for this run" \
    "$(cat out/report.md)"
assert_match "each warned of" "report: warning: figures/counters.svg was not drawn for this run" "$T_ERR"
run_status "$PY" "$ROOT/scripts/plots" other --out out/figures
assert_eq "plots of the other run exit" 0 "$T_STATUS"
if [[ -e out/figures/server.svg || -e out/figures/server.png ]]; then
    t_fail "plots left the earlier run's server figure in place"
else
    t_pass
fi
run_status "$PY" "$ROOT/scripts/report" other --out out
assert_eq "report of the other run, drawn, exit" 0 "$T_STATUS"
assert_eq "report of the other run warns of nothing" "" "$T_ERR"
assert_match "its own figures embedded" "src=\"figures/time_procs_$limit.svg\"" "$(cat out/report.html)"
assert_eq "no server figure embedded" "" "$(grep -o 'figures/server[^"]*' out/report.html)"
assert_match "the missing sweep said missing" "The server sweep \\(server_clients\\) was not part of this run" \
    "$(sed -n '/## Server/,/## Noise/p' out/report.md)"
# Figures without a record of their run (as plots drew them before figures.json) neither.
rm out/figures/figures.json
run_status "$PY" "$ROOT/scripts/report" other --out out
assert_eq "figures of an unknown run: none embedded" "" "$(grep -o '<img[^>]*>' out/report.html)"
# plots replaces a folder of figures as a whole, but never one holding anything else.
mkdir notes && echo keep >notes/notes.txt
run_status "$PY" "$ROOT/scripts/plots" run --out notes
assert_eq "plots refuses a folder it did not draw" 2 "$T_STATUS"
assert_match "the refusal names it" "^plots: notes: holds files scripts/plots did not draw" "$T_ERR"
assert_eq "the folder is untouched" "keep" "$(cat notes/notes.txt)"

t_done
