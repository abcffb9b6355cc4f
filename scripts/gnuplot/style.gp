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
# Series 5 to 8: the server figures draw up to eight servers.
set style line 5 lc rgb '#ff7f0e' lw 2 pt 13 ps 1.3
set style line 6 lc rgb '#8c564b' lw 2 pt 15 ps 1.3
set style line 7 lc rgb '#e377c2' lw 2 pt 3 ps 1.3
set style line 8 lc rgb '#17becf' lw 2 pt 1 ps 1.3
set style line 9 lc rgb '#777777' lw 1.5 dt 2
set style fill transparent solid 0.18 noborder
# A suspect point (the run's runs were disturbed): the hollow twin of its series' marker, in
# grey, so its series stays readable while it reads as not to be trusted. No clean point is
# ever hollow.
set style line 11 lc rgb '#8c8c8c' lw 1.5 pt 6 ps 1.4
set style line 12 lc rgb '#8c8c8c' lw 1.5 pt 4 ps 1.4
set style line 13 lc rgb '#8c8c8c' lw 1.5 pt 8 ps 1.6
set style line 14 lc rgb '#8c8c8c' lw 1.5 pt 10 ps 1.6
# Error bars: the series' colour, thin.
set style line 21 lc rgb '#1f77b4' lw 1.2 pt -1
set style line 22 lc rgb '#d62728' lw 1.2 pt -1
set style line 23 lc rgb '#2ca02c' lw 1.2 pt -1
set style line 24 lc rgb '#9467bd' lw 1.2 pt -1
set style line 25 lc rgb '#ff7f0e' lw 1.2 pt -1
set style line 26 lc rgb '#8c564b' lw 1.2 pt -1
set style line 27 lc rgb '#e377c2' lw 1.2 pt -1
set style line 28 lc rgb '#17becf' lw 1.2 pt -1
set style line 29 lc rgb '#8c8c8c' lw 1.2 pt -1
# An error bar is a flat-headed vector from lo to hi (using x:lo:(0):(hi-lo) with @ebar):
# gnuplot's errorbars blank a box around the point, cutting the lines and markers beneath,
# and they skip a point whose interval is NaN along with the bar.
ebar = "vectors heads size screen 0.005,90"
suspect_key = 'suspect (hollow): left out of fits'
# Key entries for what a figure holds only: a script sets a string with entry() and puts it
# in its plot as a macro (@name); scripts/plots passes nsuspect and bars.
entry(show, what) = show ? what : 'keyentry notitle'
suspect_entry = "keyentry with points ls 11 title suspect_key"
