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

# set_meta RUN KEY JSON_VALUE: one key of meta.json replaced (null removes it).
set_meta() {
    "$PY" -c '
import json, sys
path = sys.argv[1] + "/meta.json"
meta = json.load(open(path))
value = json.loads(sys.argv[3])
if value is None:
    meta.pop(sys.argv[2], None)
else:
    meta[sys.argv[2]] = value
json.dump(meta, open(path, "w"), indent=2)' "$@"
}

no_marker() { # WHAT: no file named PWNED* anywhere under the scratch folder
    local found
    found=$(find "$T_DIR" -name 'PWNED*' 2>/dev/null)
    assert_eq "$1: the injected command did not run" "" "$found"
}

# -- injection through a cell, the program as it is run (every name column and payload,
# and every malformed cell, through plots, report and regress: test_inputs.py) -----------
echo "inj|server_clients.csv|3|label|epoll'.system('touch PWNED').'" | cases
run_status "$ROOT/scripts/plots" inj --out inj-out
assert_eq "plots, an injected label: exit" 2 "$T_STATUS"
assert_eq "plots, an injected label: one line naming file, row and column" \
    "plots: inj/server_clients.csv:3: column 'label': 'epoll'.system('touch PWNED').'' is not a name (letters, digits and _ . + - only)" \
    "$T_ERR"
assert_eq "nothing drawn from an injected run" "" "$(ls -A inj-out 2>/dev/null)"
no_marker "an injected label"

# -- paths with quotes, spaces and dollars -------------------------------------------------
# A checkout, a run folder and an --out each holding a quote, a space and a dollar; the
# --out written as gnuplot syntax, as it would have been pasted into gnuplot's -e.
checkout="$T_DIR/check out's \$dir"
mkdir -p "$checkout/results"
cp -r "$ROOT/scripts" "$checkout/scripts"
odd="$checkout/results/it's a \$run \"x\""
cp -r run "$odd"
rep="o'.system('touch PWNED2').' \$HOME"
run_status "$checkout/scripts/plots" "$odd" --out "$rep/figures"
assert_eq "plots, odd paths: exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "plots, odd paths: every figure drawn" 16 "$(ls "$rep/figures" | grep -c '\.\(svg\|png\)$')"
assert_eq "plots, odd paths: each printed as given" 16 "$(grep -cF "$rep/figures/" <<<"$T_OUT")"
run_status "$checkout/scripts/report" "$odd" --out "$rep"
assert_eq "report, odd paths: exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "report, odd paths: its figures embedded" 8 "$(grep -o '<img' "$rep/report.html" | wc -l)"
no_marker "odd paths"

# -- make: quoted run folders, one completeness check, all-or-nothing baseline ---------------
mk="$T_DIR/make root's \$dir"
mkdir -p "$mk/results/baselines"
cp "$ROOT/Makefile" "$mk/"
cp -r "$ROOT/scripts" "$mk/scripts"
# The fixture's machine: make baseline keeps a run as the baseline of the machine it ran on.
id=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["machine_id"])' run/meta.json)
BASE="$mk/results/baselines/$id"
cp -r run "$BASE"
set_meta "$BASE" date_utc '"the old baseline"'
cp -r "$BASE" before

torn_case() { # NAME: a torn run in "$mk/results/NAME" (made by the caller), refused
    run_status make -s -C "$mk" baseline RUN="results/$1"
    assert_eq "make baseline, $1: exit" 2 "$T_STATUS"
    assert_match "make baseline, $1: says incomplete" "^regress: results/$1: incomplete run: " "$T_ERR"
    if diff -r before "$BASE" >/dev/null; then t_pass; else t_fail "make baseline, $1: the baseline changed"; fi
    assert_eq "make baseline, $1: nothing left behind" "" "$(ls -A "$mk/results" | grep '^\.')"
}
mkdir "$mk/results/only meta" && cp run/meta.json "$mk/results/only meta/"
set_meta "$mk/results/only meta" complete false
torn_case "only meta"
mkdir "$mk/results/meta and a csv" && cp run/meta.json run/primes_procs.csv "$mk/results/meta and a csv/"
set_meta "$mk/results/meta and a csv" complete false
torn_case "meta and a csv"
cp -r run "$mk/results/no mark's"
set_meta "$mk/results/no mark's" complete null
torn_case "no mark's"
cp -r run "$mk/results/no checksums"
rm "$mk/results/no checksums/primes_checksums.csv"
torn_case "no checksums"
rm -rf "$mk/results/only meta" "$mk/results/meta and a csv" "$mk/results/no mark's" "$mk/results/no checksums"

echo "$mk/results/bad cell|primes_procs.csv|2|median_s|abc" | cases
run_status make -s -C "$mk" baseline RUN="results/bad cell"
assert_eq "make baseline, malformed run: exit" 2 "$T_STATUS"
assert_eq "make baseline, malformed run: named" \
    "regress: results/bad cell/primes_procs.csv:2: column 'median_s': 'abc' is not a number" \
    "$(head -1 <<<"$T_ERR")"
if diff -r before "$BASE" >/dev/null; then t_pass; else t_fail "make baseline, malformed run: the baseline changed"; fi
rm -rf "$mk/results/bad cell"

cp -r run "$mk/results/a b's"
set_meta "$mk/results/a b's" date_utc '"the new one"'
ln -s "a b's" "$mk/results/latest"
run_status make -s -C "$mk" baseline
assert_eq "make baseline of results/latest -> 'a b's': exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "make baseline: says so" "baseline: results/baselines/$id is now a b's" "$T_OUT"
if diff -r "$mk/results/a b's" "$BASE" >/dev/null; then t_pass; else t_fail "make baseline: not a copy of the run"; fi
assert_eq "make baseline: nothing left behind" "a b's baselines latest " "$(ls -A "$mk/results" | tr '\n' ' ')"
assert_eq "make baseline: one baseline, this machine's" "$id" "$(ls -A "$mk/results/baselines")"
# A run from before machine fingerprints belongs to no machine: refused, nothing changed.
cp -r run "$mk/results/no id"
set_meta "$mk/results/no id" machine_id null
run_status make -s -C "$mk" baseline RUN="results/no id"
assert_eq "make baseline, a run without machine_id: exit" 2 "$T_STATUS"
assert_match "make baseline, a run without machine_id: says so" "has no machine_id" "$T_ERR"
assert_eq "make baseline, a run without machine_id: nothing added" "$id" "$(ls -A "$mk/results/baselines")"
rm -rf "$mk/results/no id"
# make report draws the figures first (make plots).
run_status make -s -C "$mk" DEPS=true report RUN="results/a b's"
assert_eq "make report RUN='results/a b's': exit ($T_ERR)" 0 "$T_STATUS"
assert_eq "make plots: figures drawn" 16 "$(ls "$mk/report/figures" | grep -c '\.\(svg\|png\)$')"
assert_eq "make report: figures embedded" 8 "$(grep -o '<img' "$mk/report/report.html" | wc -l)"
assert_match "make report: names the page" "report: .*/make root's \\\$dir/report/report.html" "$T_OUT"
no_marker "make"

# -- make regress: its run goes to results/regress/, results/latest stays -----------------
recipe=$(make -s -n -C "$mk" regress DEPS=true BUILD=nowhere 2>/dev/null | grep 'bench/run')
assert_match "make regress: a quick run into results/regress/, latest left alone" \
    "bench/run --quick --no-latest --out \"\\\$run\"" "$recipe"
assert_match "make regress: run=results/regress/<stamp>" 'run=results/regress/\$\(date' \
    "$(make -s -n -C "$mk" regress DEPS=true BUILD=nowhere 2>/dev/null)"

t_done
