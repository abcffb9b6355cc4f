# --metrics: exact software counts whatever the split, per-worker rows that add up to the
# whole-run row, empty hardware cells with one note where the machine cannot count.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$(dirname "$PARLAB_TESTS")/bench/csv.sh" || exit 1
cd "$T_DIR"

# counters FILE: the names of FILE's counter columns, one a line: every column but the ones
# that describe the run or time it (the software counters and the hardware events).
counters() {
    head -1 "$1" | tr ',' '\n' | grep -vxE 'program|limit|procs|chunk|schedule|worker|wall_ns|cpu_ns'
}

# run_row FILE COLUMN...: the named columns of the whole-run row (worker "all").
run_row() {
    local file=$1
    shift
    csv_columns "$file" worker "$@" | sed -n 's/^all,//p'
}

# check_sums FILE WHAT: every numeric counter of the worker rows adds up to the "all" row.
check_sums() {
    local file=$1 what=$2
    local name sums
    for name in $(counters "$file"); do
        sums=$(csv_columns "$file" worker "$name" |
            awk -F, '$1 != "all" {s += $2} $1 == "all" {a = $2} END {printf "%.0f %.0f", s, a}')
        assert_eq "$what: workers add up to the run for $name" "${sums#* }" "${sums% *}"
    done
}

expected_header="program,limit,procs,chunk,schedule,worker,wall_ns,cpu_ns,numbers_tested,trial_divisions,primes_found"
for run in "dynamic 2 1000" "static 3 1" "cyclic 4 7" "dynamic 7 1"; do
    read -r schedule procs chunk <<<"$run"
    what="--schedule $schedule --procs $procs --chunk $chunk"
    rm -f m.csv
    run_status "$PARLAB_BIN/optimized" $what --metrics m.csv --events none
    assert_eq "$what exit" 0 "$T_STATUS"
    assert_eq "$what header" "$expected_header" "$(head -1 m.csv)"
    assert_eq "$what rows" $((procs + 2)) "$(wc -l <m.csv)"
    assert_eq "$what workers" "$(seq -s ' ' 0 $((procs - 1))) all" \
        "$(csv_columns m.csv worker | paste -sd' ')"
    assert_eq "$what whole run" "optimized,1000000,$procs" "$(run_row m.csv program limit procs)"
    assert_eq "$what schedule column" "$schedule" "$(run_row m.csv schedule)"
    assert_eq "$what trial divisions at 10^6" 67740404 "$(run_row m.csv trial_divisions)"
    assert_eq "$what primes found at 10^6" 78498 "$(run_row m.csv primes_found)"
    assert_eq "$what numbers tested" 999999 "$(run_row m.csv numbers_tested)"
    check_sums m.csv "$what"
done

# nonoptimized: one worker row equal to the run row, same columns.
rm -f m.csv
run_status "$PARLAB_BIN/nonoptimized" --metrics m.csv --events none
assert_eq "nonoptimized header" "$expected_header" "$(head -1 m.csv)"
assert_eq "nonoptimized worker row" "nonoptimized,1000000,1,1000001,serial,0" \
    "$(csv_columns m.csv program limit procs chunk schedule worker | sed -n 1p)"
counts=$(csv_columns m.csv numbers_tested trial_divisions primes_found)
assert_eq "nonoptimized counts" "999999,67740404,78498" "$(sed -n 1p <<<"$counts")"
assert_eq "nonoptimized run counts" "999999,67740404,78498" "$(sed -n 2p <<<"$counts")"

# A second run appends rows under the same header.
run_status "$PARLAB_BIN/nonoptimized" --limit 100 --metrics m.csv --events none
assert_eq "appended rows" 5 "$(wc -l <m.csv)"
assert_eq "one header" 1 "$(grep -c '^program,' m.csv)"

# Hardware events: a column each, named as the event, from --events or $PARLAB_EVENTS.
rm -f m.csv
run_status "$PARLAB_BIN/optimized" --procs 2 --metrics m.csv --events PAPI_TOT_INS,PAPI_TOT_CYC
assert_eq "event columns" "$expected_header,PAPI_TOT_INS,PAPI_TOT_CYC" "$(head -1 m.csv)"
assert_eq "every row has every column" "13 13 13" \
    "$(awk -F, 'NR > 1 {printf "%s%d", sep, NF; sep = " "}' m.csv)"
cells=$(csv_columns m.csv PAPI_TOT_INS | sort -u)
if [[ -z "$cells" ]]; then
    # Not counted here: one note naming the events, not one per worker.
    assert_eq "one note" 1 "$(grep -c 'not counted' <<<"$T_ERR")"
    assert_match "note names the events" "PAPI_TOT_INS,PAPI_TOT_CYC" "$T_ERR"
else
    assert_match "counted instructions" '^[0-9]+' "$cells"
    check_sums m.csv "hardware events"
fi

rm -f m.csv
PARLAB_EVENTS=PAPI_L1_DCM run_status "$PARLAB_BIN/nonoptimized" --limit 1000 --metrics m.csv
assert_eq "PARLAB_EVENTS" "$expected_header,PAPI_L1_DCM" "$(head -1 m.csv)"

rm -f m.csv
run_status "$PARLAB_BIN/nonoptimized" --limit 1000 --metrics m.csv
assert_eq "default events" "$expected_header,PAPI_TOT_INS,PAPI_TOT_CYC,PAPI_L1_DCM,PAPI_BR_MSP" \
    "$(head -1 m.csv)"

# Usage errors: an unknown event (a build without PAPI cannot tell), an empty file name.
papi_build=yes
[[ "$T_ERR" == *"built without PAPI"* ]] && papi_build=no
for prog in nonoptimized optimized; do
    if [[ $papi_build == yes ]]; then
        run_status "$PARLAB_BIN/$prog" --limit 10 --metrics m2.csv --events PAPI_TOT_INS,NO_SUCH
        assert_eq "$prog unknown event exit" 2 "$T_STATUS"
        assert_match "$prog unknown event message" "^$prog: --events: unknown event 'NO_SUCH'" "$T_ERR"
        assert_eq "$prog unknown event: no metrics file" "" "$(ls m2.csv 2>/dev/null)"
    fi
    run_status "$PARLAB_BIN/$prog" --limit 10 --metrics ""
    assert_eq "$prog empty metrics name exit" 2 "$T_STATUS"
done

# A run that measures nothing loads none of PAPI, libpfm or libsde (the loader's own log
# says what it opened); one with --metrics opens PAPI in a PAPI build.
loaded() {
    grep -oE 'file=lib(papi|pfm|sde)[^ ]*' "$T_DIR/.stderr" | sed 's/^file=//' | sort -u | paste -sd' '
}
for prog in nonoptimized optimized; do
    LD_DEBUG=files run_status "$PARLAB_BIN/$prog" --limit 10 --output out.txt
    assert_eq "$prog without --metrics: exit" 0 "$T_STATUS"
    assert_eq "$prog without --metrics: nothing of PAPI loaded" "" "$(loaded)"
    LD_DEBUG=files run_status "$PARLAB_BIN/$prog" --limit 10 --output out.txt --metrics m3.csv
    assert_eq "$prog --metrics: exit" 0 "$T_STATUS"
    if [[ $papi_build == yes ]]; then
        assert_match "$prog --metrics: PAPI loaded" 'libpapi\.so.* libsde\.so' "$(loaded)"
    else
        assert_eq "$prog --metrics: nothing of PAPI loaded" "" "$(loaded)"
    fi
done

# Where PAPI cannot be loaded the run still counts: the software columns exact, the hardware
# cells empty, one note with the loader's reason, and names taken as given (none can be checked).
rm -f m.csv
PARLAB_PAPI_LIBRARY=/nonexistent/libpapi.so run_status "$PARLAB_BIN/optimized" --procs 3 \
    --metrics m.csv --events PAPI_TOT_INS,NO_SUCH
assert_eq "unloadable PAPI: exit" 0 "$T_STATUS"
assert_eq "unloadable PAPI: header" "$expected_header,PAPI_TOT_INS,NO_SUCH" "$(head -1 m.csv)"
assert_eq "unloadable PAPI: trial divisions" 67740404 "$(run_row m.csv trial_divisions)"
assert_eq "unloadable PAPI: primes found" 78498 "$(run_row m.csv primes_found)"
check_sums m.csv "unloadable PAPI"
assert_eq "unloadable PAPI: hardware cells empty" "" "$(csv_columns m.csv PAPI_TOT_INS NO_SUCH | tr -d ',\n')"
assert_eq "unloadable PAPI: one line on stderr" 1 "$(wc -l <"$T_DIR/.stderr")"
if [[ $papi_build == yes ]]; then
    assert_eq "unloadable PAPI: note" "optimized: not counted on this machine: PAPI_TOT_INS,NO_SUCH (PAPI: /nonexistent/libpapi.so: cannot open shared object file: No such file or directory); their cells are empty" "$T_ERR"
else
    assert_eq "unloadable PAPI: note" "optimized: not counted: PAPI_TOT_INS,NO_SUCH (built without PAPI); their cells are empty" "$T_ERR"
fi

# Columns that differ from the file's are refused, and the file is left as it was.
cp m.csv before.csv
run_status "$PARLAB_BIN/optimized" --limit 100 --metrics m.csv --events none
assert_eq "mismatched header exit" 1 "$T_STATUS"
assert_match "mismatched header message" "header differs" "$T_ERR"
assert_same_file "mismatched header leaves the file" before.csv m.csv

t_done
