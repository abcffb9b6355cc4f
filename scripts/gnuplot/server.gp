# Figure 6: server throughput and latency vs concurrent clients, parlab vs comparison servers.
# Vars: data (blocks, one per server, each headed by a line whose second column is the server's
# name, used as the title: clients sessions_per_s lo hi p50_ms p99_ms; lo hi the 95% interval
# of the median where a client count was run several times), rep (fresh-server repeats, one
# block per server in the same order: clients median lo hi), nservers, nrepeats (runs per
# repeated point, 0: none), bars (1 when the repeats have an interval).
load ARG1
set multiplot layout 1,2 title 'Mean server: closed loop, no pause'
set xlabel 'concurrent clients'
set logscale x
# Every corner of these axes holds data at some client count: the keys get headroom above it.
# Up to eight servers: one key for both panels, small, above the data.
set key top left vertical Left reverse font ',9' samplen 2
set offsets 0, 0, graph 0.45, 0
set ylabel 'sessions / s'
set yrange [0:*]
# The repeats sit a little right of their client count, beside the sweep's point there.
rep_title = bars ? sprintf('fresh server, median of %d runs, 95%% interval', nrepeats) \
                 : sprintf('fresh server, median of %d runs', nrepeats)
repeats = entry(nrepeats > 0, "keyentry with points lc rgb '#444444' pt 13 ps 1.3 title rep_title")
plot for [i=1:nservers] data index i-1 using 1:2 with linespoints ls i title columnheader(2) noenhanced, \
     for [i=1:nservers] data index i-1 using 1:3:(0):($4-$3) with @ebar ls (20+i) notitle, \
     for [i=1:nservers] rep index i-1 using ($1*1.12):3:(0):($4-$3) with @ebar ls (20+i) notitle, \
     for [i=1:nservers] rep index i-1 using ($1*1.12):2 with points ls i pt 13 ps 1.3 notitle, \
     @repeats
set ylabel 'latency (ms), p50 solid, p99 dashed'
set logscale y
set yrange [*:*]
set offsets 0, 0, 0, 0
plot for [i=1:nservers] data index i-1 using 1:5 with linespoints ls i notitle, \
     for [i=1:nservers] data index i-1 using 1:6 with linespoints ls i dt 2 notitle
unset multiplot
