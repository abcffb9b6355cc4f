# A results run is data, never code, and only a complete, well-formed run is used, as the
# programs and make run them: a cell crafted as gnuplot syntax is refused and never runs;
# run folders, --out and checkout paths with quotes, spaces and dollars work, through the
# scripts and through make; torn or malformed runs never become the baseline (make
# baseline), which is replaced all or nothing. (Every malformed cell, through all three
# scripts: test_inputs.py; the gate on synthetic runs: test_regress.py.)
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
ROOT=$(dirname "$PARLAB_TESTS")
FIXTURE=$PARLAB_TESTS/fixtures/run
cd "$T_DIR"
cp -r "$FIXTURE" run
# The scripts run by the interpreter itself, not through a version manager's shim: the
# test starts them dozens of times. (make, below, starts them by their #! line.)
PY=$("$PYTHON3" -c 'import sys; print(sys.executable)')

# cases < "NAME|FILE|LINE|COLUMN|VALUE" lines: for each, a copy of run named NAME with one
# cell of one CSV rewritten, the rest left as it is (one python for all: tests stay fast).
cases() {
    "$PY" -c '
import shutil, sys
for spec in sys.stdin.read().splitlines():
    name, file, line, column, value = spec.split("|")
    shutil.rmtree(name, ignore_errors=True)
    shutil.copytree("run", name)
    path = f"{name}/{file}"
    with open(path) as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    cells = lines[int(line) - 1].split(",")
    cells[header.index(column)] = value
    lines[int(line) - 1] = ",".join(cells)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")'
}

# set_meta RUN KEY JSON_VALUE [RUN KEY JSON_VALUE ...]: one key of a run's meta.json replaced
# (null removes it), for each triple (one python for all).
set_meta() {
    "$PY" -c '
import json, sys
args = sys.argv[1:]
for run, key, text in zip(args[0::3], args[1::3], args[2::3]):
    path = run + "/meta.json"
    meta = json.load(open(path))
    value = json.loads(text)
    if value is None:
        meta.pop(key, None)
    else:
        meta[key] = value
    json.dump(meta, open(path, "w"), indent=2)' "$@"
}

# The checks below start their programs together (bg, bg_wait: tests/lib.sh) and judge them
# afterwards: each start of plots, report or regress costs a second of imports, and most of
# them depend on nothing the others do.

no_marker() { # WHAT: no file named PWNED* anywhere under the scratch folder
    local found
    found=$(find "$T_DIR" -name 'PWNED*' 2>/dev/null)
    assert_eq "$1: the injected command did not run" "" "$found"
}

# -- every run the checks read, made first ------------------------------------------------
# Injection through a cell, the program as it is run (every name column and payload, and
# every malformed cell, through plots, report and regress: test_inputs.py).
# Paths with quotes, spaces and dollars: a checkout, a run folder and an --out each holding
# a quote, a space and a dollar; the --out written as gnuplot syntax, as it would have been
# pasted into gnuplot's -e.
checkout="$T_DIR/check out's \$dir"
mkdir -p "$checkout/results"
cp -r "$ROOT/scripts" "$checkout/scripts"
odd="$checkout/results/it's a \$run \"x\""
cp -r run "$odd"
rep="o'.system('touch PWNED2').' \$HOME"
# make: quoted run folders, one completeness check, all-or-nothing baseline. The fixture's
# machine: make baseline keeps a run as the baseline of the machine it ran on.
mk="$T_DIR/make root's \$dir"
mkdir -p "$mk/results/baselines"
cp "$ROOT/Makefile" "$mk/"
cp -r "$ROOT/scripts" "$mk/scripts"
id=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["machine_id"])' run/meta.json)
BASE="$mk/results/baselines/$id"
cp -r run "$BASE"
# Torn runs: meta.json alone, with one CSV, unmarked, a file it lists missing.
mkdir "$mk/results/only meta" && cp run/meta.json "$mk/results/only meta/"
mkdir "$mk/results/meta and a csv" && cp run/meta.json run/primes_procs.csv "$mk/results/meta and a csv/"
cp -r run "$mk/results/no mark's"
cp -r run "$mk/results/no checksums"
rm "$mk/results/no checksums/primes_checksums.csv"
cp -r run "$mk/results/a b's"
ln -s "a b's" "$mk/results/latest"
cp -r run "$mk/results/no id"
printf '%s\n' "inj|server_clients.csv|3|label|epoll'.system('touch PWNED').'" \
    "$mk/results/bad cell|primes_procs.csv|2|median_s|abc" | cases
set_meta "$BASE" date_utc '"the old baseline"' \
    "$mk/results/only meta" complete false \
    "$mk/results/meta and a csv" complete false \
    "$mk/results/no mark's" complete null \
    "$mk/results/a b's" date_utc '"the new one"' \
    "$mk/results/no id" machine_id null
cp -r "$BASE" before

# -- started together; none writes what another reads --------------------------------------
bg inj "$ROOT/scripts/plots" inj --out inj-out
bg odd-plots "$checkout/scripts/plots" "$odd" --out "$rep/figures"
torn=("only meta" "meta and a csv" "no mark's" "no checksums")
for name in "${torn[@]}" "bad cell" "no id"; do
    bg "make baseline $name" make -s -C "$mk" baseline RUN="results/$name"
done
# make report draws the figures first (make plots); it writes report/, no run.
bg make-report make -s -C "$mk" DEPS=true report RUN="results/a b's"

# -- injection ---------------------------------------------------------------------------------
bg_wait inj
assert_eq "plots, an injected label: exit" 2 "$T_STATUS"
assert_eq "plots, an injected label: one line naming file, row and column" \
    "plots: inj/server_clients.csv:3: column 'label': 'epoll'.system('touch PWNED').'' is not a name (letters, digits and _ . + - only)" \
    "$T_ERR"
assert_eq "nothing drawn from an injected run" "" "$(ls -A inj-out 2>/dev/null)"
no_marker "an injected label"

# -- paths with quotes, spaces and dollars -------------------------------------------------
bg_wait odd-plots
assert_eq "plots, odd paths: exit ($T_ERR)" 0 "$T_STATUS"
# Nine figures of the fixture run (the open loop's among them), SVG and PNG each.
assert_eq "plots, odd paths: every figure drawn" 18 "$(ls "$rep/figures" | grep -c '\.\(svg\|png\)$')"
assert_eq "plots, odd paths: each printed as given" 18 "$(grep -cF "$rep/figures/" <<<"$T_OUT")"
bg odd-report "$checkout/scripts/report" "$odd" --out "$rep"

# -- make baseline: torn or malformed runs refused, the baseline untouched -------------------
# Every refusal is judged before the one baseline that is made: a refused run must leave
# nothing behind, and the one made leaves a temporary while it copies.
for name in "${torn[@]}"; do
    bg_wait "make baseline $name"
    assert_eq "make baseline, $name: exit" 2 "$T_STATUS"
    assert_match "make baseline, $name: says incomplete" "^regress: results/$name: incomplete run: " "$T_ERR"
done
bg_wait "make baseline bad cell"
assert_eq "make baseline, malformed run: exit" 2 "$T_STATUS"
assert_eq "make baseline, malformed run: named" \
    "regress: results/bad cell/primes_procs.csv:2: column 'median_s': 'abc' is not a number" \
    "$(head -1 <<<"$T_ERR")"
# A run from before machine fingerprints belongs to no machine: refused, nothing changed.
bg_wait "make baseline no id"
assert_eq "make baseline, a run without machine_id: exit" 2 "$T_STATUS"
assert_match "make baseline, a run without machine_id: says so" "has no machine_id" "$T_ERR"
assert_eq "make baseline, a run without machine_id: nothing added" "$id" "$(ls -A "$mk/results/baselines")"
if diff -r before "$BASE" >/dev/null; then t_pass; else t_fail "make baseline, refused runs: the baseline changed"; fi
assert_eq "make baseline, refused runs: nothing left behind" "" "$(ls -A "$mk/results" | grep '^\.')"
for name in "${torn[@]}" "bad cell" "no id"; do rm -rf "${mk:?}/results/$name"; done

run_status make -s -C "$mk" baseline
assert_eq "make baseline of results/latest -> 'a b's': exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "make baseline: says so" "baseline: results/baselines/$id is now a b's" "$T_OUT"
if diff -r "$mk/results/a b's" "$BASE" >/dev/null; then t_pass; else t_fail "make baseline: not a copy of the run"; fi
assert_eq "make baseline: nothing left behind" "a b's baselines latest " "$(ls -A "$mk/results" | tr '\n' ' ')"
assert_eq "make baseline: one baseline, this machine's" "$id" "$(ls -A "$mk/results/baselines")"

bg_wait make-report
assert_eq "make report RUN='results/a b's': exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "make plots: figures drawn" 18 "$(ls "$mk/report/figures" | grep -c '\.\(svg\|png\)$')"
assert_eq "make report: figures embedded" 9 "$(grep -o '<img' "$mk/report/report.html" | wc -l)"
assert_match "make report: names the page" "report: .*/make root's \\\$dir/report/report.html" "$T_OUT"
no_marker "make"

bg_wait odd-report
assert_eq "report, odd paths: exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "report, odd paths: its figures embedded" 9 "$(grep -o '<img' "$rep/report.html" | wc -l)"
no_marker "odd paths"

# -- make regress: its run goes to results/regress/, results/latest stays -----------------
recipe=$(make -s -n -C "$mk" regress DEPS=true BUILD=nowhere 2>/dev/null | grep 'bench/run')
assert_match "make regress: a quick run into results/regress/, latest left alone" \
    "bench/run --quick --no-latest --out \"\\\$run\"" "$recipe"
assert_match "make regress: run=results/regress/<stamp>" 'run=results/regress/\$\(date' \
    "$(make -s -n -C "$mk" regress DEPS=true BUILD=nowhere 2>/dev/null)"

t_done
