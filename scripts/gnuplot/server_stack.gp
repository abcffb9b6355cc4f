# The thread model against its stack size (log x): sessions/s and CPU per session (median
# over the blocks, min-max bar), memory per held connection (one run per size). A dashed line
# marks the size from which the clients' stacks together exceed glibc's 40 MiB cache.
# Vars: data (blocks: stack_kib median min max for sessions/s; the same for CPU us per
# session; stack_kib KiB per connection), clients, knee (KiB), hascpu and hasmem (0: the
# run lacks that block's file).
load ARG1
set multiplot layout 1,3 title sprintf('The thread model vs its stack size, %d clients', clients)
set logscale x 2
set xlabel 'stack (KiB)'
set xtics rotate by -45
set offsets graph 0.06, graph 0.06, 0, 0
set key bottom left font ',10' samplen 2
set arrow 1 from knee, graph 0 to knee, graph 1 nohead ls 9
cache = sprintf('%d x %d KiB = 40 MiB', clients, knee)
set ylabel 'sessions / s'
set yrange [0:*]
plot data index 0 using 1:3:(0):($4-$3) with @ebar ls 21 notitle, \
     ''   index 0 using 1:2:xtic(1) with linespoints ls 1 title 'median, min-max', \
     keyentry with lines ls 9 title cache
# A panel whose file the run lacks (server_cost.csv, server_memory.csv) says so, empty.
hide = 'unset border; unset xtics; unset ytics; unset xlabel; unset ylabel; unset key; ' \
       . 'unset arrow 1'
show = "set border 3; set xtics nomirror rotate by -45; set ytics nomirror; " \
       . "set xlabel 'stack (KiB)'; set key; " \
       . "set arrow 1 from knee, graph 0 to knee, graph 1 nohead ls 9"
missing(what) = sprintf("set label 1 '%s' at graph 0.5, 0.55 center; ", what) \
    . "set label 2 'not measured in this run' at graph 0.5, 0.45 center; " . hide \
    . "; plot [1:2] [0:1] NaN notitle; unset label 1; unset label 2; " . show
set ylabel 'CPU us per session'
if (hascpu) {
    plot data index 1 using 1:3:(0):($4-$3) with @ebar ls 22 notitle, \
         ''   index 1 using 1:2:xtic(1) with linespoints ls 2 title 'median, min-max'
} else {
    eval missing('CPU per session')
}
set ylabel 'KiB per held connection'
if (hasmem) {
    plot data index 2 using 1:2:xtic(1) with linespoints ls 3 title 'one run'
} else {
    eval missing('memory')
}
unset multiplot
