# Shared look of parlab's figures, loaded as `load ARG1`: scripts/plots runs every script as
# `gnuplot -e 'fmt=...; out=...; ...' -c SCRIPT STYLE`, so no path is ever parsed as syntax.
# Callers set: fmt ('svg' or 'png'), out (file name, relative to the figures folder).
if (fmt eq 'svg') {
    set terminal svg size 860,520 dynamic enhanced font 'Helvetica,13' background rgb 'white'
} else {
    set terminal pngcairo size 860,520 enhanced font 'Helvetica,11' background rgb 'white'
}
set output out
set border 3 lw 1.2 lc rgb '#444444'
set tics nomirror
set grid ytics xtics lc rgb '#dddddd' lw 1 dt 1
set key top right opaque box lt 1 lc rgb '#cccccc'
set style line 1 lc rgb '#1f77b4' lw 2 pt 7 ps 1.1
set style line 2 lc rgb '#d62728' lw 2 pt 5 ps 1.1
set style line 3 lc rgb '#2ca02c' lw 2 pt 9 ps 1.3
set style line 4 lc rgb '#9467bd' lw 2 pt 11 ps 1.3
set style line 9 lc rgb '#777777' lw 1.5 dt 2
set style fill transparent solid 0.18 noborder
