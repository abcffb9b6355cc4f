# loadgen --hist and histmerge: two loadgens at once against one server, their histograms
# merged; the merged percentiles equal those computed here, independently, from the two
# files' buckets, the count is the sum of their sessions, and bad histograms are refused.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$PARLAB_TESTS/loadgen/lib_loadgen.sh" || exit 1
LG="$PARLAB_BIN/loadgen"
HM="$PARLAB_BIN/histmerge"
cd "$T_DIR"

# csv_line FILE COLUMN...: the first row's cells of the named columns, comma-separated.
csv_line() {
    "$PYTHON3" -c '
import csv, sys
row = next(csv.DictReader(open(sys.argv[1], newline="")))
print(",".join(row[c] for c in sys.argv[2:]))' "$@"
}

lg_server histmerge
TARGET="127.0.0.1:$PORT"

# Different loads, so the two distributions differ.
"$LG" "$TARGET" --clients 8 --threads 2 --sessions 600 --quiet --csv a.csv --hist a.hist \
    >a.out 2>&1 &
a=$!
"$LG" "$TARGET" --clients 2 --threads 1 --sessions 300 --delay 0.002 --quiet --csv b.csv \
    --hist b.hist >b.out 2>&1 &
b=$!
wait $a
assert_eq "loadgen a exit" 0 $?
wait $b
assert_eq "loadgen b exit" 0 $?
assert_eq "histogram format" "parlab-hist 1" "$(head -1 a.hist)"
assert_eq "histogram ends whole" "end" "$(tail -1 b.hist)"

# One histogram merged alone gives back its loadgen's own figures.
run_status "$HM" a.hist
assert_eq "one: exit" 0 "$T_STATUS"
cols=(latency_mean_us latency_p50_us latency_p90_us latency_p99_us latency_p999_us latency_max_us)
printf '%s\n' "$T_OUT" >one.csv
assert_eq "one histogram: loadgen's own figures" "$(csv_line a.csv sessions "${cols[@]}")" \
    "$(csv_line one.csv count "${cols[@]}")"

# Both: against a merge computed here from the files' buckets.
run_status "$HM" --csv merged.csv a.hist b.hist
assert_eq "merge: exit" 0 "$T_STATUS"
expected=$("$PYTHON3" - a.hist b.hist <<'PY'
import math, sys
SUB_BITS, MAX_BITS = 7, 37
SUB = 1 << SUB_BITS
LAST = (MAX_BITS - SUB_BITS + 1) * SUB - 1
def top(b):
    if b < SUB:
        return b
    shift = b // SUB - 1
    return ((SUB + b % SUB) << shift) + (1 << shift) - 1
counts, total, hi, total_ns = {}, 0, 0, 0
for path in sys.argv[1:]:
    lines = open(path).read().split("\n")
    assert lines[0] == "parlab-hist 1" and lines[-2] == "end", path
    fields = dict(l.split(" ", 1) for l in lines[1:7])
    total += int(fields["total"]); hi = max(hi, int(fields["max_ns"]))
    total_ns += int(fields["sum_ns"])
    for l in lines[7:-2]:
        _, i, n = l.split(" ")
        counts[int(i)] = counts.get(int(i), 0) + int(n)
assert sum(counts.values()) == total
def pct(p):
    rank = min(max(math.ceil(p / 100 * total - 1e-9), 1), total)
    seen = 0
    for b in sorted(counts):
        seen += counts[b]
        if seen >= rank:
            return hi if b == LAST else min(top(b), hi)
# C's round(): halves away from zero (Python's round() goes to even).
us = lambda ns: repr(math.floor(ns + 0.5) / 1e3)
print(",".join([str(total), us(total_ns / total)] +
               [us(pct(p)) for p in (50, 90, 99, 99.9)] + [us(hi)]))
PY
)
assert_eq "merged figures = the buckets added up here" "$expected" \
    "$(csv_line merged.csv count "${cols[@]}")"
assert_eq "merged: histograms" 2 "$(lg_field merged.csv 1 histograms)"
sessions=$(($(lg_field a.csv 1 sessions) + $(lg_field b.csv 1 sessions)))
assert_eq "merged count = the sessions of both" "$sessions" "$(lg_field merged.csv 1 count)"
# A merged percentile lies between the two runs' own (an average would too, but
# the equality above is what tells a merge from an average).
pa=$(lg_field a.csv 1 latency_p99_us) pb=$(lg_field b.csv 1 latency_p99_us)
pm=$(lg_field merged.csv 1 latency_p99_us)
assert_eq "merged p99 between the runs' p99s" ok \
    "$("$PYTHON3" -c "import sys; a, b, m = map(float, sys.argv[1:]); print('ok' if min(a, b) <= m <= max(a, b) else (a, b, m))" "$pa" "$pb" "$pm")"

# Bad histograms: exit 1, one line naming the file, nothing appended.
sed 's/^sub_bits 7$/sub_bits 6/' a.hist >layout.hist
head -n -1 a.hist >cut.hist
sed 's/^total .*/total 1/' a.hist >count.hist
for bad in layout cut count; do
    cp merged.csv before.csv
    run_status "$HM" --csv merged.csv b.hist "$bad.hist"
    assert_eq "$bad: exit" 1 "$T_STATUS"
    assert_eq "$bad: one line" 1 "$(printf '%s\n' "$T_ERR" | wc -l)"
    assert_match "$bad: names the file" "^histmerge: $bad.hist: " "$T_ERR"
    assert_same_file "$bad: nothing appended" before.csv merged.csv
done
assert_match "layout: says so" "line 3: bucket layout sub_bits 6 max_bits 37 differs" \
    "$(run_status "$HM" layout.hist; echo "$T_ERR")"
assert_match "cut: says so" "cut short" "$(run_status "$HM" cut.hist; echo "$T_ERR")"
run_status "$HM" a.csv
assert_eq "not a histogram: exit" 1 "$T_STATUS"
assert_match "not a histogram: message" "^histmerge: a.csv: line 1: not a loadgen histogram" "$T_ERR"
run_status "$HM" no-such.hist
assert_eq "missing file: exit" 1 "$T_STATUS"
assert_match "missing file: message" "^histmerge: no-such.hist: open: " "$T_ERR"

# Usage errors: exit 2.
run_status "$HM"
assert_eq "no histogram: exit" 2 "$T_STATUS"
run_status "$HM" --csv "" a.hist
assert_eq "empty --csv: exit" 2 "$T_STATUS"
run_status "$HM" --bogus a.hist
assert_eq "unknown option: exit" 2 "$T_STATUS"
run_status "$LG" "$TARGET" --clients 1 --sessions 1 --hist ""
assert_eq "loadgen empty --hist: exit" 2 "$T_STATUS"

t_done
