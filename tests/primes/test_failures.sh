# Failures leave earlier output untouched and say what went wrong.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
cd "$T_DIR"

# A worker killed mid-run fails the whole run within a second, naming the worker.
echo "earlier" >primes_optimized.txt
"$PARLAB_BIN/optimized" --limit 300000000 --procs 2 >out 2>err &
parent=$!
victim=""
for _ in $(seq 100); do
    victim=$(pgrep -P "$parent" | head -1)
    [[ -n "$victim" ]] && break
    sleep 0.05
done
assert_match "a worker was started" '^[0-9]+$' "$victim"
sleep 0.2
kill -KILL "$victim"
killed_at=$(date +%s%N)
wait "$parent"
status=$?
elapsed_ms=$((($(date +%s%N) - killed_at) / 1000000))
assert_eq "exit status after a killed worker" 1 "$status"
assert_match "message names the worker and signal" \
    "^optimized: worker [01] \\(pid $victim\\) was killed by signal 9 .*no output written$" "$(cat err)"
assert_eq "earlier file untouched" "earlier" "$(cat primes_optimized.txt)"
assert_eq "no worker left running" "" "$(pgrep -P "$parent")"
if ((elapsed_ms > 1000)); then
    t_fail "parent took ${elapsed_ms} ms to give up (limit 1000 ms)"
else
    t_pass
fi

# A missing directory is reported with the path; nothing is created.
run_status "$PARLAB_BIN/nonoptimized" --limit 10 --output missing/dir/p.txt
assert_eq "missing directory exit" 1 "$T_STATUS"
assert_eq "missing directory message" \
    "nonoptimized: cannot write 'missing/dir/p.txt': No such file or directory" "$T_ERR"

# A directory is refused before anything is computed or created.
mkdir target.txt
run_status "$PARLAB_BIN/optimized" --limit 10 --output target.txt
assert_eq "unreplaceable target exit" 1 "$T_STATUS"
assert_eq "unreplaceable target message" "optimized: cannot write 'target.txt': Is a directory" "$T_ERR"
assert_eq "no temporary left behind" "err
out
primes_optimized.txt
target.txt" "$(ls)"

t_done
