# --output by what the path names: a regular file is replaced all-or-nothing (through
# symbolic links, which stay links); devices, FIFOs and sockets are written in place, never
# replaced; directories and block devices are refused; an interrupted write leaves no
# temporary and the earlier file intact.
source "${PARLAB_TESTS:?}/lib.sh" || exit 1
STOP_SHIM=${1:?usage: test_outpaths.sh PATH_OF_stop_in_write.so}
cd "$T_DIR"
NONOPT=$PARLAB_BIN/nonoptimized

reference_upto 100000 >ref.txt

# temporaries: every *.tmp.* left anywhere in the scratch folder (globs: no fork).
temporaries() {
    shopt -s globstar nullglob
    local found=(**/*.tmp.*)
    shopt -u globstar nullglob
    echo "${found[*]}"
}

# expect_written WHAT ARGS...: exit 0, nothing on stderr, no temporary.
expect_written() {
    local what=$1
    shift
    run_status "$@"
    assert_eq "$what: exit" 0 "$T_STATUS"
    assert_eq "$what: stderr" "" "$T_ERR"
    assert_eq "$what: no temporary" "" "$(temporaries)"
}

# expect_refused WHAT MESSAGE ARGS...: exit 1 (the path is well formed, the file system says
# no: a runtime failure), and exactly one line on stderr.
expect_refused() {
    local what=$1 message=$2
    shift 2
    run_status "$@"
    assert_eq "$what: exit" 1 "$T_STATUS"
    assert_eq "$what: message" "$message" "$T_ERR"
    assert_eq "$what: no temporary" "" "$(temporaries)"
}

# proc_state PID: T stopped, empty once it has ended (Z, or already reaped), else running.
proc_state() {
    local s=""
    read -r s 2>/dev/null <"/proc/$1/stat"
    s=${s##*) }
    s=${s%% *}
    [[ $s == Z ]] || echo "$s"
}

# await_stop PID: up to 10 s for PID to stop or end; 0 if it stopped.
await_stop() {
    local state i
    for ((i = 0; i < 1000; i++)); do
        state=$(proc_state "$1")
        [[ $state == T ]] && return 0
        [[ -z $state ]] && return 1
        sleep 0.01
    done
    return 1
}

# await_ready PID: up to 10 s for PID to be nonoptimized taking SIGINT, that is for the
# shim to have reset the "ignore" a background job is started with. Sent earlier, SIGINT
# would be lost, or end the shell's own subshell before it runs the program.
await_ready() {
    local i comm key mask
    for ((i = 0; i < 1000; i++)); do
        comm="" key=""
        read -r comm 2>/dev/null <"/proc/$1/comm"
        while read -r key mask; do
            [[ $key == SigIgn: ]] && break
        done 2>/dev/null <"/proc/$1/status"
        [[ $comm == nonoptimized && $key == SigIgn: ]] && ((!(16#$mask & 2))) && return 0
        sleep 0.01
    done
    return 1
}

# finish PID: sets T_FINISHED to PID's status (128+N when signal N killed it), or to "hung"
# if it was still running 5 s on (then it is killed). Not in $(...): only this shell can
# wait for its own children.
finish() {
    local i
    for ((i = 0; i < 500; i++)); do
        [[ -z $(proc_state "$1") ]] && break
        sleep 0.01
    done
    if [[ -n $(proc_state "$1") ]]; then
        kill -KILL "$1"
        wait "$1" 2>/dev/null
        T_FINISHED=hung
        return
    fi
    wait "$1" 2>/dev/null # not the shell's "Hangup" notice: the status says it
    T_FINISHED=$?
}

# shimmed MOMENT CMD...: becomes CMD with stop_in_write.so loaded (the default signal
# dispositions, and a stop at MOMENT if one is given); a sanitizer's runtime need not come
# first. Run it in the background: $! is then CMD itself.
shimmed() {
    local moment=$1
    shift
    exec env LD_PRELOAD="$STOP_SHIM" PARLAB_STOP_AT="$moment" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}

# A regular file is replaced by rename: a new inode, the old mode kept.
echo old >reg.txt
chmod 600 reg.txt
inode=$(stat -c %i reg.txt)
expect_written "regular file" "$NONOPT" --limit 100000 --output reg.txt
assert_same_file "regular file: content" ref.txt reg.txt
[[ $(stat -c %i reg.txt) != "$inode" ]] && t_pass || t_fail "regular file: written in place"
assert_eq "regular file: mode kept" 600 "$(stat -c %a reg.txt)"

# Symbolic links stay links; the file at the end of the chain gets the content.
mkdir -p same other/deep
echo old >same/target.txt
ln -s target.txt same/link
expect_written "link" "$NONOPT" --limit 100000 --output same/link
assert_eq "link: still a link" "target.txt" "$(readlink same/link)"
assert_same_file "link: target content" ref.txt same/target.txt

echo old >other/deep/file.txt
ln -s ../other/deep/file.txt same/far
ln -s far same/chain
expect_written "chain of links into another folder" "$NONOPT" --limit 100000 --output same/chain
assert_eq "chain: first link kept" "far" "$(readlink same/chain)"
assert_eq "chain: second link kept" "../other/deep/file.txt" "$(readlink same/far)"
assert_same_file "chain: target content" ref.txt other/deep/file.txt

# A dangling link: the file it points at is created, as `echo > link` would.
ln -s created.txt dangling
expect_written "dangling link" "$NONOPT" --limit 100000 --output dangling
assert_eq "dangling link: still a link" "created.txt" "$(readlink dangling)"
assert_same_file "dangling link: target created" ref.txt created.txt
ln -s no/such/folder/x.txt nowhere
expect_refused "link into a missing folder" \
    "nonoptimized: cannot write 'nowhere': No such file or directory" \
    "$NONOPT" --limit 100 --output nowhere

# A directory is refused, and left as it was.
mkdir dir
expect_refused "directory" "nonoptimized: cannot write 'dir': Is a directory" \
    "$NONOPT" --limit 100 --output dir
assert_eq "directory: empty" "" "$(ls -A dir)"

# A FIFO's reader gets the exact bytes, from either program; the FIFO stays a FIFO.
mkfifo fifo
cat fifo >from_fifo.txt &
reader=$!
expect_written "fifo" "$PARLAB_BIN/optimized" --limit 100000 --procs 2 --output fifo
finish "$reader"
assert_eq "fifo: reader done" 0 "$T_FINISHED"
assert_same_file "fifo: reader's bytes" ref.txt from_fifo.txt
[[ -p fifo ]] && t_pass || t_fail "fifo: no longer a FIFO"

# A reader that leaves early is a write error naming the path, not a silent death.
head -c 1 fifo >/dev/null &
reader=$!
expect_refused "fifo reader gone" "nonoptimized: cannot write 'fifo': Broken pipe" \
    "$NONOPT" --limit 300000 --output fifo
finish "$reader"

# Opening a FIFO waits for a reader, as `cat > fifo` does; Ctrl-C still ends the wait.
mkfifo lonely
shimmed "" "$NONOPT" --limit 100 --output lonely &
pid=$!
await_ready "$pid" || t_fail "lonely: the program never took SIGINT"
sleep 0.3
kill -INT "$pid"
finish "$pid"
assert_eq "fifo without a reader: SIGINT ends the wait" 130 "$T_FINISHED"
[[ -p lonely ]] && t_pass || t_fail "lonely: no longer a FIFO"

# A socket's listener gets the exact bytes.
"$PYTHON3" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    for block in iter(lambda: c.recv(65536), b""):
        f.write(block)
' sock from_sock.txt &
listener=$!
for ((i = 0; i < 100; i++)); do [[ -S sock ]] && break || sleep 0.05; done
expect_written "socket" "$NONOPT" --limit 100000 --output sock
finish "$listener"
assert_eq "socket: listener done" 0 "$T_FINISHED"
assert_same_file "socket: listener's bytes" ref.txt from_sock.txt
[[ -S sock ]] && t_pass || t_fail "sock: no longer a socket"

# Device nodes: copies of /dev/null and /dev/full, and of a block device (never opened).
if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: device node cases (/dev/null, /dev/full, block device copies) need root for mknod"
else
    mknod null c 1 3 && mknod full c 1 7 && mknod disk b 7 0 || t_fail "mknod failed as root"
    expect_written "/dev/null copy" "$NONOPT" --limit 100000 --output null
    [[ -c null ]] && t_pass || t_fail "/dev/null copy: no longer a character device"
    expect_refused "/dev/full copy" "nonoptimized: cannot write 'full': No space left on device" \
        "$NONOPT" --limit 100000 --output full
    [[ -c full ]] && t_pass || t_fail "/dev/full copy: no longer a character device"
    expect_refused "block device" \
        "nonoptimized: cannot write 'disk': Is a block device (refused: it would overwrite a disk)" \
        "$NONOPT" --limit 100 --output disk
    [[ -b disk ]] && t_pass || t_fail "block device: no longer a block device"
fi

# Interrupted writes: SIGINT before the write leaves the earlier file; SIGINT, SIGTERM or
# SIGHUP inside it (the shim stops the program at a chosen write, or just before the
# rename) removes the temporary and kills the program as the signal would. Before the
# rename the earlier file is intact; at the rename (signals held back) the new one is whole.
reference_upto 300000 >ref300k.txt
echo old >run.txt
shimmed "" "$NONOPT" --limit 1000000 --output run.txt &
pid=$!
await_ready "$pid" || t_fail "while computing: the program never took SIGINT"
kill -INT "$pid"
finish "$pid"
assert_eq "SIGINT while computing: killed by it" 130 "$T_FINISHED"
assert_eq "SIGINT while computing: earlier file intact" old "$(<run.txt)"
assert_eq "SIGINT while computing: no temporary" "" "$(temporaries)"
for sig in INT TERM HUP; do
    for moment in write:1 write:3 rename; do
        what="SIG$sig at $moment"
        echo old >run.txt
        shimmed "$moment" "$NONOPT" --limit 300000 --output run.txt &
        pid=$!
        if await_stop "$pid"; then
            assert_match "$what: the temporary is there" "^run\.txt\.tmp\.[^ ]+$" "$(temporaries)"
            kill -s "$sig" "$pid"
            kill -CONT "$pid"
        else
            t_fail "$what: the program never stopped in its write"
        fi
        finish "$pid"
        assert_eq "$what: killed by it" $((128 + $(kill -l "$sig"))) "$T_FINISHED"
        assert_eq "$what: no temporary left" "" "$(temporaries)"
        if [[ $moment == rename ]]; then
            assert_same_file "$what: the new file whole" ref300k.txt run.txt
        else
            assert_eq "$what: earlier file intact" old "$(<run.txt)"
        fi
    done
done

t_done
