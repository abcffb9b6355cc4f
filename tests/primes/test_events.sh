# The event list's errors name where the list came from: --events, or $PARLAB_EVENTS when
# the option is absent. Either way a bad list is bad usage: exit 2, one line, no file.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"

# expect_bad WHAT EXPECTED_STDERR_REGEX CMD...
expect_bad() {
    local what=$1 expected=$2
    shift 2
    run_status "$@"
    assert_eq "$what: exit" 2 "$T_STATUS"
    assert_match "$what: message" "$expected" "$T_ERR"
    assert_eq "$what: one line" 1 "$(wc -l <"$T_DIR/.stderr")"
    assert_eq "$what: no metrics file" "" "$(ls m.csv 2>/dev/null)"
}

# A build without PAPI takes any name as given; only malformed lists are refused there.
run_status "$PARLAB_BIN/nonoptimized" --limit 10 --metrics probe.csv --events PAPI_TOT_INS
papi_build=yes
[[ "$T_ERR" == *"built without PAPI"* ]] && papi_build=no

many=$(printf 'E%d,' $(seq 17))
for prog in nonoptimized optimized; do
    expect_bad "$prog \$PARLAB_EVENTS malformed" "^$prog: PARLAB_EVENTS: bad event name in 'A,,B'$" \
        env PARLAB_EVENTS=A,,B "$PARLAB_BIN/$prog" --limit 10 --metrics m.csv
    expect_bad "$prog \$PARLAB_EVENTS too long" "^$prog: PARLAB_EVENTS: more than 16 events in " \
        env PARLAB_EVENTS="${many%,}" "$PARLAB_BIN/$prog" --limit 10 --metrics m.csv
    expect_bad "$prog --events malformed" "^$prog: --events: bad event name in 'A,,B'$" \
        env PARLAB_EVENTS=PAPI_TOT_INS "$PARLAB_BIN/$prog" --limit 10 --metrics m.csv --events A,,B
    if [[ $papi_build == yes ]]; then
        expect_bad "$prog \$PARLAB_EVENTS unknown" "^$prog: PARLAB_EVENTS: unknown event 'BOGUS' " \
            env PARLAB_EVENTS=BOGUS "$PARLAB_BIN/$prog" --limit 10 --metrics m.csv
        expect_bad "$prog --events unknown" "^$prog: --events: unknown event 'BOGUS' " \
            env PARLAB_EVENTS=PAPI_TOT_INS "$PARLAB_BIN/$prog" --limit 10 --metrics m.csv \
            --events BOGUS
    fi
    # The option wins over the variable: a bad variable is not read at all.
    run_status env PARLAB_EVENTS=BOGUS "$PARLAB_BIN/$prog" --limit 10 --metrics m.csv --events none
    assert_eq "$prog --events none over a bad \$PARLAB_EVENTS" 0 "$T_STATUS"
    rm -f m.csv
done

# The server parses the same list before it listens.
expect_bad "server \$PARLAB_EVENTS malformed" "^server: PARLAB_EVENTS: bad event name in 'A,,B'$" \
    env PARLAB_EVENTS=A,,B timeout 10 "$PARLAB_BIN/server" 0 --quiet --metrics m.csv

t_done
