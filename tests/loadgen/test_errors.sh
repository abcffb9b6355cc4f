# Errors are counted by kind, not fatal: a stub server misbehaves one way per run, a
# closed port refuses, the real server turns connections away past --max-clients.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
source "$PARLAB_TESTS/loadgen/lib_loadgen.sh" || exit 1
LG="$PARLAB_BIN/loadgen"
KINDS="connect write read timeout reply unparsable"

# errors CSV: the six error counts of the CSV's only row.
errors() {
    local k
    for k in $KINDS; do lg_field "$1" 1 "errors_$k"; done | xargs
}

# expect MODE "connect write read timeout reply unparsable" SESSIONS [LOADGEN ARGS...]
expect() {
    local mode=$1 counts=$2 sessions=$3
    shift 3
    lg_stub "$mode"
    rm -f "$T_DIR/e.csv"
    # A short session timeout bounds the test: a reply loadgen failed to see shows up as a
    # timeout count, not as a test that hangs.
    run_status "$LG" "127.0.0.1:$PORT" --clients 4 --sessions 40 --timeout 3 --csv "$T_DIR/e.csv" "$@"
    assert_eq "$mode: exit" 0 "$T_STATUS"
    assert_eq "$mode: errors by kind ($KINDS)" "$counts" "$(errors "$T_DIR/e.csv")"
    assert_eq "$mode: sessions" "$sessions" "$(lg_field "$T_DIR/e.csv" 1 sessions)"
}

expect error "0 0 0 0 40 0" 0
assert_match "error: reply texts" "replies +40 x 'error: stub refuses'" "$T_OUT"
assert_match "error: summary" "errors +40: reply 40 \(first: error: stub refuses\)" "$T_OUT"
expect busy "0 0 0 0 40 0" 0
assert_match "busy: reply texts" "replies +40 x 'error: server busy'" "$T_OUT"
# Many clients on one loop: some replies arrive with the connect itself, before the number
# is sent; they must be read then, or those sessions would wait for their timeout.
expect busy "0 0 0 0 400 0" 0 --clients 100 --threads 1 --sessions 400 --timeout 5
expect junk "0 0 0 0 0 40" 0
assert_match "junk: first" "unparsable 40 \(first: reply 'not-a-number'\)" "$T_OUT"
expect close "0 0 40 0 0 0" 0
assert_match "close: first" "read 40 \(first: closed without a reply\)" "$T_OUT"
# A number with whitespace around it is a mean to float(), but not Python's str().
expect sloppy "0 0 0 0 0 0" 40
lg_stub sloppy
run_status "$LG" "127.0.0.1:$PORT" --clients 2 --sessions 10 --verify
assert_eq "sloppy --verify: exit" 1 "$T_STATUS"
assert_match "sloppy --verify: counted" "unparsable 10 \(first: reply '\\\\x207.5\\\\x0a'\)" "$T_OUT"
# Silence: each session gives up after its timeout.
expect silent "0 0 0 4 0 0" 0 --sessions 4 --timeout 0.3
assert_match "silent: first" "timeout 4 \(first: no reply in time\)" "$T_OUT"

# Turned away while held, the close arriving well after the text: each counted once as
# turned away, none as held, and the probe ends (it once waited forever for these).
lg_stub lagging
run_status timeout -k 5 30 "$LG" "127.0.0.1:$PORT" --hold 4 --hold-for 1 --timeout 3 \
    --csv "$T_DIR/lagging.csv"
assert_eq "lagging close: exit" 0 "$T_STATUS"
assert_eq "lagging close: held" 0 "$(lg_field "$T_DIR/lagging.csv" 1 held)"
assert_eq "lagging close: turned away" 4 "$(lg_field "$T_DIR/lagging.csv" 1 errors_reply)"
assert_eq "lagging close: answered" 0 "$(lg_field "$T_DIR/lagging.csv" 1 sessions)"

# A port bound but never listened on. (A port freed by a stub that exits could meanwhile
# be handed to a server of a test running beside this one.) No CSV row: one would read as
# a server doing 0 sessions/s, which an average over runs would take in silently.
lg_stub refuse
run_status "$LG" "127.0.0.1:$PORT" --clients 3 --duration 5 --csv "$T_DIR/refused.csv"
assert_eq "refused: exit" 1 "$T_STATUS"
assert_eq "refused: message" \
    "loadgen: cannot connect to 127.0.0.1:$PORT: connect: Connection refused; no CSV row written" \
    "$T_ERR"
assert_eq "refused: no CSV file" "absent" "$([[ -e $T_DIR/refused.csv ]] && echo present || echo absent)"
assert_match "refused: every client's connect counted, nothing else" \
    "errors +([3-9]|[1-9][0-9]+): connect ([3-9]|[1-9][0-9]+) \(first: connect: Connection refused\)$" \
    "$(grep '^errors ' <<<"$T_OUT")"
# Nor a row in a file that has others: the file is left as it was, in both modes.
cp "$T_DIR/e.csv" "$T_DIR/kept.csv"
cp "$T_DIR/e.csv" "$T_DIR/before.csv"
run_status "$LG" "127.0.0.1:$PORT" --clients 2 --sessions 10 --csv "$T_DIR/kept.csv"
assert_eq "refused, existing CSV: exit" 1 "$T_STATUS"
assert_same_file "refused, existing CSV: unchanged" "$T_DIR/before.csv" "$T_DIR/kept.csv"
run_status "$LG" "127.0.0.1:$PORT" --hold 3 --timeout 3 --csv "$T_DIR/kept.csv"
assert_eq "refused hold: exit" 1 "$T_STATUS"
assert_match "refused hold: message" "; no CSV row written$" "$T_ERR"
assert_same_file "refused hold: CSV unchanged" "$T_DIR/before.csv" "$T_DIR/kept.csv"
# Without --csv the line has nothing to say about rows.
run_status "$LG" "127.0.0.1:$PORT" --clients 1 --sessions 1
assert_eq "refused, no --csv: message" \
    "loadgen: cannot connect to 127.0.0.1:$PORT: connect: Connection refused" "$T_ERR"

# The real server with room for 2: a hold of 10 keeps 2, the rest are turned away.
lg_server busy --max-clients 2
run_status "$LG" "127.0.0.1:$PORT" --hold 10 --csv "$T_DIR/busy.csv"
assert_eq "max-clients: exit" 0 "$T_STATUS"
assert_eq "max-clients: held" 2 "$(lg_field "$T_DIR/busy.csv" 1 held)"
assert_eq "max-clients: answered" 2 "$(lg_field "$T_DIR/busy.csv" 1 sessions)"
assert_eq "max-clients: turned away" 8 "$(lg_field "$T_DIR/busy.csv" 1 errors_reply)"
assert_match "max-clients: reply text" "replies +8 x 'error: server busy'" "$T_OUT"

t_done
