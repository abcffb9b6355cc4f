# Reads parlab's results CSVs from the shell by column name, never by position: a column
# added or moved by the program that writes a file must not shift what a script reads from
# it. Sourced by bench/server.sh, bench/servers/compare.sh and the tests.
#
# csv_columns FILE COLUMN...
#     Prints every data row of FILE as the cells of the named columns, in the order named,
#     comma-separated. A column FILE's header lacks (or holds twice) stops it before any row
#     is printed, as does an empty file; a row with more or fewer cells than the header, or a
#     quoted cell, stops it at that row: one line on stderr names the file, the line and the
#     column or the fault, and the status is 1. Cells are plain: parlab's CSVs quote nothing
#     the shell reads, so a quote means a file this reader would misread.

csv_columns() {
    if (($# < 2)); then
        echo "csv_columns: usage: csv_columns FILE COLUMN..." >&2
        return 2
    fi
    local file=$1
    shift
    if [[ ! -f $file || ! -r $file ]]; then
        echo "csv: $file: no such readable file" >&2
        return 1
    fi
    # The names and the file name reach awk through the environment, not -v or an operand:
    # -v would expand backslashes in them, and an operand holding '=' would be taken for an
    # assignment. The file is read on stdin for the same reason.
    local IFS=,
    CSV_FILE=$file CSV_WANT="$*" awk -F, '
        function fail(msg) { printf "csv: %s\n", msg > "/dev/stderr"; failed = 1; exit 1 }
        NR == 1 {
            header = NF
            for (i = 1; i <= NF; i++) {
                if ($i in at) twice[$i] = 1
                at[$i] = i
            }
            n = split(ENVIRON["CSV_WANT"], want, ",")
            for (k = 1; k <= n; k++) {
                if (!(want[k] in at))
                    fail(ENVIRON["CSV_FILE"] ":1: no column '\''" want[k] "'\''")
                if (want[k] in twice)
                    fail(ENVIRON["CSV_FILE"] ":1: column '\''" want[k] "'\'' appears twice")
                col[k] = at[want[k]]
            }
            next
        }
        index($0, "\"") { fail(ENVIRON["CSV_FILE"] ":" NR ": a quoted cell; csv_columns reads plain cells only") }
        NF != header { fail(ENVIRON["CSV_FILE"] ":" NR ": " NF " cells, the header has " header) }
        {
            line = $col[1]
            for (k = 2; k <= n; k++) line = line "," $col[k]
            print line
        }
        END {
            if (!failed && NR == 0) fail(ENVIRON["CSV_FILE"] ": empty file (no header)")
        }' <"$file"
}
