# Figure 7: counters per worker: trial divisions per second, and IPC / L1 misses where the
# machine counts them. Vars: data (worker dyn stat cyc [Mdiv/s]), hw (data file or ''),
# procs, limit_text.
load ARG1
set multiplot layout 1,2 title sprintf('Counters per worker, N = %s, P = %d', limit_text, procs)
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xlabel 'worker'
set key outside right top vertical
set yrange [0:*]
set ylabel 'trial divisions per second (millions)'
plot data using 2:xtic(1) ls 1 title 'dynamic', '' using 3 ls 2 title 'static', '' using 4 ls 3 title 'cyclic'
set ylabel 'instructions per cycle'
if (hw eq '') {
    set label 1 "hardware counters\nnot available on this machine" at graph 0.5, graph 0.5 center font ',16' tc rgb '#aa0000'
    set yrange [0:1]
    set xrange [0:1]
    unset xtics
    unset ytics
    unset key
    plot NaN notitle
} else {
    plot hw using 2:xtic(1) ls 1 title 'IPC dynamic', '' using 3 ls 2 title 'IPC static', '' using 4 ls 3 title 'IPC cyclic'
}
unset multiplot
