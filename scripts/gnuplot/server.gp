# Figure 6: server throughput and latency vs concurrent clients, parlab vs comparison servers.
# Vars: data (blocks, one per server, each headed by a line whose second column is the server's
# name, used as the title: clients sessions_per_s p50_ms p99_ms), nservers.
load ARG1
set multiplot layout 1,2 title 'Mean server: closed loop, no pause'
set xlabel 'concurrent clients'
set logscale x
# Every corner of these axes holds data at some client count: the keys get headroom above it.
set key top left horizontal maxrows 2
set offsets 0, 0, graph 0.2, 0
set ylabel 'sessions / s'
set yrange [0:*]
plot for [i=1:nservers] data index i-1 using 1:2 with linespoints ls i title columnheader(2) noenhanced
set ylabel 'latency (ms), p50 solid, p99 dashed'
set logscale y
set yrange [*:*]
set offsets 0, 0, graph 0.3, 0
plot for [i=1:nservers] data index i-1 using 1:3 with linespoints ls i title columnheader(2) noenhanced, \
     for [i=1:nservers] data index i-1 using 1:4 with linespoints ls i dt 2 notitle
unset multiplot
