# Sourced by the prime tests: sets $backends to the optimized backends this build runs.
# A build without OpenMP must refuse that backend in one line, exit 2, before doing anything.
backends="fork threads openmp"
run_status "$PARLAB_BIN/optimized" --limit 10 --backend openmp --output openmp-probe.txt
if [[ $T_STATUS -eq 2 ]]; then
    assert_eq "openmp refused" \
        "optimized: --backend: 'openmp' is not available (built without OpenMP)" "$T_ERR"
    assert_eq "openmp refused: nothing written" "" "$(ls openmp-probe.txt 2>/dev/null)"
    backends="fork threads"
    echo "note: built without OpenMP; the openmp backend is not exercised" >&2
else
    assert_eq "openmp probe exit" 0 "$T_STATUS"
    assert_same_file "openmp probe output" <(reference_upto 10) openmp-probe.txt
fi
rm -f openmp-probe.txt
