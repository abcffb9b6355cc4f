# The figures and the report, drawn from small committed runs (tests/fixtures/run, a tiny run
# of before the start-up points; tests/fixtures/scaling, a 2-core run at N = 10^6 with suspect
# points): every figure non-empty, every section present, every referenced figure on disk, the
# computed numbers right, no finding quoting a suspect point, bad inputs named, and no figure
# of another run ever embedded.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$(dirname "$PARLAB_TESTS")/bench/csv.sh" || exit 1
ROOT=$(dirname "$PARLAB_TESTS")
cd "$T_DIR"
cp -r "$PARLAB_TESTS/fixtures/run" run
cp -r "$PARLAB_TESTS/fixtures/scaling" scaling
# Debian's interpreter, the scripts' own (#!/usr/bin/python3), where the intervals' scipy is.
PY=/usr/bin/python3
SCIPY=0
"$PY" -c 'import scipy' 2>/dev/null && SCIPY=1

# batch [scipy] <<< "LABEL TOOL ARG..." lines: scripts/report and scripts/plots (TOOL) run
# in one interpreter, each as its command line would run it (TOOL.main(argv)), one start
# for all (importing scipy is most of a report's time); each step's exit status, stdout and
# stderr into LABEL.status, LABEL.out, LABEL.err. Without "scipy" the interpreter is kept
# from importing it (and numpy), as where python3-scipy is not installed: no intervals.
BATCH='
import contextlib, io, sys
sys.dont_write_bytecode = True
if sys.argv[2] != "scipy":
    sys.modules["scipy"] = sys.modules["numpy"] = None
sys.path.insert(0, sys.argv[1])
from parlab import plots, report
for line in sys.stdin:
    label, tool, *args = line.split()
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        try:
            rc = {"plots": plots, "report": report}[tool].main([tool] + args)
        except SystemExit as x:
            rc = x.code
    for ext, text in (("status", str(rc)), ("out", o.getvalue()), ("err", e.getvalue())):
        with open(f"{label}.{ext}", "w") as f:
            f.write(text)
'
batch() { "$PY" -c "$BATCH" "$ROOT/scripts" "${1-}"; }
# result LABEL: a batch step's outcome into T_STATUS, T_OUT, T_ERR, as run_status sets them.
result() {
    T_STATUS=$(cat "$1.status")
    T_OUT=$(cat "$1.out")
    T_ERR=$(cat "$1.err")
}
# A report's Findings section.
findings() { sed -n '/^## Findings/,/^## Naive/p' "$1"; }

# The figures and the report of the tiny run, without scipy; Chromium then checks the page
# in the background while the rest runs (it takes seconds to start), on a copy, as later
# steps write into out/ again. A copy with a broken figure reference must fail the check.
batch <<'STEPS'
plots plots run --out out/figures
plain report run --out out
STEPS
result plots
assert_eq "plots exit ($T_ERR)" 0 "$T_STATUS"
result plain
assert_eq "report exit" 0 "$T_STATUS"
assert_eq "report warns of nothing" "" "$T_ERR"
have_chromium=0
if command -v chromium >/dev/null; then
    have_chromium=1
    cp -r out browse
    sed 's|figures/counters.svg|figures/nothing-here.svg|' browse/report.html >browse/bad.html
    "$ROOT/scripts/check-report" browse/report.html browse/report.png >check.out 2>check.err &
    check_good=$!
    "$ROOT/scripts/check-report" browse/bad.html browse/bad.png >/dev/null 2>&1 &
    check_bad=$!
fi

limit=$(csv_columns run/primes_procs.csv limit | head -n 1)
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

# With scipy, in one interpreter: the tiny run (sci); the scaling run (sc); the tiny run with
# its only parallel point of the fit, dynamic P = 2, suspect; the scaling run as if on 4
# cores, so that P = 2 and 4 decide the Amdahl fit.
cp -r run suspect
"$PY" - run/primes_procs.csv suspect/primes_procs.csv <<'PYEOF'
import csv, sys
with open(sys.argv[1], newline="") as f:
    reader = csv.DictReader(f)
    fields, rows = reader.fieldnames, list(reader)
for r in rows:
    if (r["program"], r["procs"], r["schedule"]) == ("optimized", "2", "dynamic"):
        r["suspect"] = "cv 9.1% > 5%"
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
PYEOF
cp -r scaling cores4
sed -i 's/"cores": 2,/"cores": 4,/' cores4/meta.json
batch scipy <<'STEPS'
sci report run --out sci
sc report scaling --out sc
suspect report suspect --out suspect-out
c4 report cores4 --out c4
STEPS
for o in sci sc suspect c4; do
    result $o
    assert_eq "report $o exit ($T_ERR)" 0 "$T_STATUS"
done

for section in Provenance "How to read these numbers" Findings "Naive vs parallel" \
    "Parallel backends" "Schedules and load balance" "Chunk size" "Problem size" \
    "C vs the lab's Python solutions" Counters Server Noise Reproduce; do
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
# median_s of a point, by program, processes and schedule (columns read by name).
median_of() {
    csv_columns "$1" program procs schedule median_s |
        awk -F, -v p="$2" -v n="${3-}" -v s="${4-}" '$1 == p && (n == "" || $2 == n) && (s == "" || $3 == s) {print $4; exit}'
}
t1=$(median_of run/primes_procs.csv nonoptimized)
t2=$(median_of run/primes_procs.csv optimized 2 dynamic)
speedup=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.3g", a / b}')
# The fixture's paired runs, by hand: 20000/25000, 21000/30000, 22000/27500 = 0.8, 0.7, 0.8.
assert_match "paired runs table" "\\| sessions/s \\| 21,000 \\(20,000 to 22,000\\) \\| 27,500 \\(25,000 to 30,000\\) \\| 0.80x \\(0.70x to 0.80x\\) \\|" "$(cat out/report.md)"
assert_match "finding states the paired ratio" "Over 3 paired runs at 64 clients .parlab. does 0.80x" "$(cat out/report.md)"
# Without scipy: the same report, no intervals, and said so.
assert_match "headline speedup at P=2" "\\| 2 \\| [0-9.]+ ms \\| $speedup \\|" "$(cat out/report.md)"
assert_match "no intervals: said why" "No intervals in this report.*: they need scipy" "$(cat out/report.md)"
assert_match "finding states the speedup" "speedup $speedup against .nonoptimized., [0-9.]+ ms over 2 runs" \
    "$(findings out/report.md)"
# Its P = 2 ran slower than one process (S < 1): Karp-Flatt above 1 is shown as what it is,
# never as a serial fraction, and no Amdahl fit is made of it.
for o in out sci; do
    assert_match "$o: Karp-Flatt above 1: slower than serial" \
        "\\| 2 \\| [0-9.]+ ms[^|]*\\| $speedup[^|]*\\| [0-9.]+ \\| slower than serial \\|" "$(cat $o/report.md)"
    assert_match "$o: finding: slower than one process" \
        "2 processes on 2 cores take [0-9.]+ ms[^:]*: slower than one process, speedup $speedup" \
        "$(findings $o/report.md)"
    assert_match "$o: no Amdahl fit of runs slower than serial" \
        "No Amdahl fit at N = 10\\^4: the parallel runs at P = 2 were slower than one process" \
        "$(findings $o/report.md)"
    assert_eq "$o: no serial fraction of 1 or more anywhere" "" \
        "$(grep -oE '(e\(P\)|fraction|f =) [1-9][0-9]*\.[0-9]+' $o/report.md)"
done
# A run of before the start-up points says so, and fits whole-process times.
assert_match "start-up not measured in this run" "Start-up: not measured in this run" \
    "$(sed -n '/^## Problem size/,/^## C vs/p' sci/report.md)"
guide=$(sed -n '/^## How to read/,/^## Findings/p' sci/report.md)
assert_match "the reading guide says what is timed" "wall time of a whole process.*start-up.*included" "$guide"
for what in "[Pp]er-worker compute time" "95% interval" "bootstrap" "paired" "P\\(faster\\)" \
    "suspect" "hollow" "lines join only points along an ordered axis"; do
    assert_match "the reading guide explains '$what'" "$what" "$guide"
done

# -- the scaling run: dynamic P = 3 is suspect (2.4x slow, slower than serial) -------------
# It is what its generator writes, so that the two cannot drift apart.
"$PY" "$PARLAB_TESTS/fixtures/make-scaling.py" regenerated
assert_eq "tests/fixtures/scaling is make-scaling.py's" "" "$(diff -r regenerated scaling 2>&1)"
sc=$(cat sc/report.md)
scf=$(findings sc/report.md)
p3=$(csv_columns scaling/primes_procs.csv program procs schedule median_s suspect |
     awk -F, '$1 == "optimized" && $2 == 3 && $3 == "dynamic"')
p3_ms=$(awk -F, '{printf "%.1f", $4 * 1000}' <<<"$p3")
p3_why=$(cut -d, -f5 <<<"$p3")
t1=$(median_of scaling/primes_procs.csv nonoptimized)
# Its Karp-Flatt value, to two and to three decimals.
p3_kf=$(awk -F, -v t1="$t1" '{s = t1 / $4; e = (1 / s - 1 / 3) / (2 / 3); printf "%.2f|%.3f", e, e}' <<<"$p3")
assert_match "the suspect point is in the Noise table, with why" \
    "\\| primes_procs \\| .optimized., P = 3, dynamic, chunk 1000, N = 10\\^6 \\| $p3_ms ms[^|]*\\| [0-9.]+% \\| $p3_why \\|" "$sc"
assert_match "the suspect chunk too" \
    "\\| primes_chunk \\| .optimized., P = 2, cyclic, chunk 100000, N = 10\\^6 \\| .* \\| outside load 0.40 cores > 0.25 \\|" "$sc"
assert_match "the suspect point is marked in its table" "\\| 3 \\(suspect\\) \\| $p3_ms ms" "$sc"
assert_match "and its Karp-Flatt shown as slower than serial" "\\| 3 \\(suspect\\) \\|[^|]*\\|[^|]*\\|[^|]*\\| slower than serial \\|" "$sc"
# No finding quotes it: not its time, not its Karp-Flatt, not its speedup; it is only named
# as left out.
assert_eq "no finding quotes the suspect point's time" "" "$(grep -o "$p3_ms" <<<"$scf")"
assert_eq "no finding quotes its Karp-Flatt ($p3_kf)" "" "$(grep -oE "$p3_kf|slower than serial" <<<"$scf")"
assert_match "the finding says what it left out" "leaving out the suspect P = 3" "$scf"
assert_eq "P = 3 only as left out" "" \
    "$(sed 's/leaving out the suspect P = 3//g' <<<"$scf" | grep -oE 'P = 3\b|3 processes')"
assert_match "the suspect chunk is left out of the chunk finding" \
    "Best chunk for .cyclic., leaving out the suspect chunk 100000: [0-9]+, .*the worst, 1," "$scf"
# The Amdahl fit of a 2-core run rests on P = 2 alone: no bound claimed.
assert_match "Amdahl on 2 cores rests on one point" "The Amdahl fit at N = 10\\^6 rests on one point, P = 2: f = 0\\.[0-9]+" "$scf"
assert_eq "no bound from one point" "" "$(grep -o 'on any number of cores' <<<"$scf")"
assert_match "the cost exponent states start-up subtracted" \
    ".nonoptimized.'s compute time grows as N\\^k with k = 1\\.[0-9]+.* start-up \\([0-9.]+ ms.*N = 10\\) subtracted" "$scf"
assert_match "primesieve's points within start-up's noise are left out, and said" \
    "The cost exponent of .primesieve. could not be computed: 1 point left.*within the noise of start-up" "$scf"
assert_match "the table shows compute time" "\\| 10\\^6 \\| [0-9.]+ ms[^|]*; compute [0-9.]+ ms \\|" "$sc"
assert_match "the reading guide says start-up is subtracted" "subtracts each program's start-up" "$sc"
assert_match "every suspect point in the Noise section counted" "Every suspect point \\(2\\)" "$sc"
if ((SCIPY)); then
    assert_match "the exponent with its interval" \
        ".nonoptimized.'s compute time grows as N\\^k with k = 1\\.[0-9]+ \\[1\\.[0-9]+, 1\\.[0-9]+\\]" "$scf"
    assert_match "the Amdahl fit's interval" "rests on one point, P = 2: f = 0\\.[0-9]+ \\[0\\.[0-9]+, 0\\.[0-9]+\\] is what that point allows" "$scf"
    assert_match "a speedup names its base with its time and interval" \
        "speedup 1\\.[0-9]+ \\[1\\.[0-9]+, 1\\.[0-9]+\\], efficiency [0-9]+%, against .nonoptimized., [0-9.]+ ms \\[[0-9.]+, [0-9.]+\\] over 10 runs" "$scf"
    assert_match "schedules compared with P(faster)" "slowest, [0-9]+% longer: .dynamic.'s speedup over it is [0-9.]+ \\[.*P\\(faster\\) = 1.00" "$scf"
    assert_match "the headline table's P(faster)" "\\| 2 \\| [0-9.]+ ms \\[[0-9.]+, [0-9.]+\\] \\| 1\\.[0-9]+ \\[[0-9.]+, [0-9.]+\\] \\| 0\\.[0-9]+ \\| 0\\.[0-9]+ \\| 1\\.00 \\|" "$sc"
fi
# On 4 cores P = 2 and 4 decide the fit (the suspect P = 3 left out): a bound, with its range.
assert_match "Amdahl from two points: a bound, the suspect point left out" \
    "Amdahl fit at N = 10\\^6 \\(dynamic, P = 2, 4, leaving out the suspect P = 3\\): serial fraction f = 0\\.[0-9]+.*, so at most [0-9.]+x( \\[[0-9.]+, [0-9.]+\\])? on any number of cores" \
    "$(findings c4/report.md)"
((SCIPY)) && assert_match "the bound with its interval" "so at most [0-9.]+x \\[[0-9.]+, [0-9.]+\\] on any" \
    "$(findings c4/report.md)"

# The tiny run with dynamic P = 2 suspect: marked, left out of the fit, quoted by no finding.
sus=$(cat suspect-out/report.md)
assert_match "the suspect point marked in the table" "\\| 2 \\(suspect\\) \\| [0-9.]+ ms" "$sus"
assert_match "the base's median and the pairing said" \
    "Speedup against .nonoptimized., [0-9.]+ ms[^.]*over [0-9]+ runs. (In brackets a 95% bootstrap interval of the ratio of medians, resampled by block|No intervals)" "$sus"
assert_match "the suspect point named as left out of the fit" \
    "left out of the Amdahl fit and the findings\\): P = 2: cv 9.1% > 5%" "$sus"
assert_match "no fit from suspect points alone" "No Amdahl fit at N = 10\\^4: every point with 1 < P <= 2 is suspect" "$sus"
assert_match "no speedup where the point it needs is suspect" \
    "The speedup of 2 processes on 2 cores at N = 10\\^4 could not be computed: .optimized., P = 2, dynamic, chunk 1000, N = 10\\^4 is suspect \\(cv 9.1% > 5%\\)" "$sus"
assert_match "the schedules compared without it" "With P = 2 at N = 10\\^4, leaving out the suspect .dynamic., .static. is fastest" "$sus"

# Bad input: named, exit 2, nothing half-written (broken1..4). Figures from another run are
# never embedded: `other` is the run without its server sweeps (as `bench/run --only primes`
# writes it), reported into a copy of out/ whose figures are run's (stale), then drawn and
# reported into out/; figures without a record of their run (as plots drew them before
# figures.json) are not embedded either (nostamp). plots replaces a folder of figures as a
# whole, but never one holding anything else (notes).
for k in 1 2 3 4; do cp -r run broken$k; done
rm broken1/primes_procs.csv
sed -i '2s/^\([^,]*\),\([^,]*\),/\1,x\2,/' broken2/primes_procs.csv
cut -d, -f1-5 run/primes_chunk.csv >broken3/primes_chunk.csv
echo "{" >broken4/meta.json
cp -r run other
rm other/server_*.csv
"$PY" -c '
import json, sys
meta = json.load(open(sys.argv[1]))
meta["sweeps"] = ["primes"]
meta["files"] = [n for n in meta["files"] if not n.startswith("server_")]
json.dump(meta, open(sys.argv[1], "w"), indent=2)' other/meta.json
cp -r out stale
cp -r out nostamp
rm nostamp/figures/figures.json
mkdir notes && echo keep >notes/notes.txt
batch <<'STEPS'
broken1 report broken1 --out broken-out
broken2 plots broken2 --out broken-out/figures
broken3 report broken3 --out broken-out
broken4 report broken4 --out broken-out
stale report other --out stale
nostamp report run --out nostamp
other-plots plots other --out out/figures
other report other --out out
notes plots run --out notes
STEPS
result broken1
assert_eq "missing CSV exit" 2 "$T_STATUS"
assert_eq "missing CSV message" \
    "report: broken1: incomplete run: primes_procs.csv is listed in meta.json but missing" "$T_ERR"
result broken2
assert_eq "malformed CSV exit" 2 "$T_STATUS"
assert_match "malformed CSV message" "^plots: broken2/primes_procs.csv:2: column 'limit': 'x[0-9]+' is not a number$" "$T_ERR"
result broken3
assert_eq "CSV missing columns exit" 2 "$T_STATUS"
assert_match "CSV missing columns message" "^report: broken3/primes_chunk.csv:1: missing column\\(s\\) runs, median_s" "$T_ERR"
result broken4
assert_eq "bad meta.json exit" 2 "$T_STATUS"
assert_match "bad meta.json message" "broken4/meta.json: not valid JSON" "$T_ERR"
assert_eq "nothing written of a refused run" "" "$(ls -A broken-out 2>/dev/null)"

result stale
assert_eq "report of another run exit" 0 "$T_STATUS"
assert_eq "no figure of the earlier run embedded" "" "$(grep -o '<img[^>]*>' stale/report.html)"
assert_match "figures said not drawn for this run" "figures/time_procs_$limit.svg was not drawn for this run" \
    "$(cat stale/report.md)"
assert_match "each warned of" "report: warning: figures/counters.svg was not drawn for this run" "$T_ERR"
result nostamp
assert_eq "figures of an unknown run: none embedded" "" "$(grep -o '<img[^>]*>' nostamp/report.html)"
result other-plots
assert_eq "plots of the other run exit" 0 "$T_STATUS"
if [[ -e out/figures/server.svg || -e out/figures/server.png ]]; then
    t_fail "plots left the earlier run's server figure in place"
else
    t_pass
fi
result other
assert_eq "report of the other run, drawn, exit" 0 "$T_STATUS"
assert_eq "report of the other run warns of nothing" "" "$T_ERR"
assert_match "its own figures embedded" "src=\"figures/time_procs_$limit.svg\"" "$(cat out/report.html)"
assert_eq "no server figure embedded" "" "$(grep -o 'figures/server[^"]*' out/report.html)"
assert_match "the missing sweep said missing" "The server sweep \\(server_clients\\) was not part of this run" \
    "$(sed -n '/## Server/,/## Noise/p' out/report.md)"
result notes
assert_eq "plots refuses a folder it did not draw" 2 "$T_STATUS"
assert_match "the refusal names it" "^plots: notes: holds files scripts/plots did not draw" "$T_ERR"
assert_eq "the folder is untouched" "keep" "$(cat notes/notes.txt)"

# Headless Chromium, where installed: every image loads and nothing overflows; a broken
# figure reference is caught.
if ((have_chromium)); then
    wait "$check_good"
    status=$?
    assert_eq "check-report exit ($(cat check.err))" 0 "$status"
    assert_match "check-report counted the figures" '"figures":[1-9]' "$(cat check.out)"
    assert_eq "screenshot is a PNG" "PNG" "$(head -c 4 browse/report.png | tail -c 3)"
    wait "$check_bad"
    status=$?
    assert_eq "check-report catches a missing image" 1 "$status"
else
    echo "note: chromium not installed; the browser check was not run"
fi

t_done
